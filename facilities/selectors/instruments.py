"""Reads of instruments: the catalogue search, the public page and the manager's lists."""

from __future__ import annotations

import datetime as dt

from django.db.models import (
    BooleanField,
    Case,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Accreditation, Organisation
from accounts.scoping import Scope
from config.errors import Invalid, NotFound
from facilities.calendars import local_tz
from facilities.models import (
    Blackout,
    Category,
    Instrument,
    OpeningException,
    OpeningHours,
    Price,
)
from facilities.occupancy import free_intervals, unbooked_q
from facilities.pagination import capped_count
from facilities.search import rank, text_filter
from facilities.search.plans import unprepared
from facilities.search.query import term_q
from facilities.selectors.filters import (
    CatalogueFilters,
    accredited_exists,
    catalogue_filtered,
    category_ids_naming,
)
from facilities.selectors.text_search import ANY, SearchOutcome, text_search

LIST_DEFER = ("specifications", "main_uses", "service_content", "reference_fees", "search_text",
              "search_tokens")  # fmt: skip
LIST_DEFER_TEXT = ("service_content", "reference_fees", "search_text", "search_tokens")


def _public() -> Q:
    return Q(is_shared=True) & ~Q(status=Instrument.Status.RETIRED)


def _free_between_q(start: dt.datetime, end: dt.datetime) -> Q:
    """Open for the whole window (one local day), no blackout and no live booking in it
    (booked time as ``facilities.occupancy`` reports it)."""
    tz = local_tz()
    ls, le = timezone.localtime(start, tz), timezone.localtime(end, tz)
    if end <= start or ls.date() != le.date() and le.time() != dt.time(0):
        raise Invalid(_("Choose a start and an end on the same day."), code="bad_free_window",
                      fields={"free_to": [_("Choose a start and an end on the same day.")]})  # fmt: skip
    day, ts, te = ls.date(), ls.time(), (le.time() if le.date() == ls.date() else dt.time.max)
    weekly = OpeningHours.objects.filter(
        instrument=OuterRef("pk"), weekday=day.weekday(), opens_at__lte=ts, closes_at__gte=te
    )
    exc = OpeningException.objects.filter(instrument=OuterRef("pk"), date=day)
    special = exc.filter(is_closed=False, opens_at__lte=ts, closes_at__gte=te)
    blocked = Blackout.objects.filter(instrument=OuterRef("pk"), start_at__lt=end, end_at__gt=start)
    return (
        Q(status=Instrument.Status.ACTIVE)
        & ((Exists(weekly) & ~Exists(exc)) | Exists(special))
        & unbooked_q(start, end)
        & ~Exists(blocked)
    )


RANK_LIMIT = 1000
Instrument._meta.pk.register_lookup(rank.AnyOf)  # pk__any_of: ranked ids as one parameter


def _key(name: str, few: bool):
    """The sort column; wrapped (COALESCE(x, x)) when the matches are few, so PostgreSQL
    sorts the handful of index-found rows instead of walking a sort index until it has
    met 20 of them — which on a selective filter can mean most of the table."""
    return Coalesce(F(name), F(name)) if few else F(name)


def _sorted(qs: QuerySet, f: CatalogueFilters, *, matches: int | None) -> QuerySet:
    """Many matches: an ordered index scan (one index per order) stops after one page.
    Few matches (<= RANK_LIMIT, counted first): fetch them by the filter's index and sort.
    Relevance needs every match scored, so it is ranked only when there are few matches
    (``_ranked``); beyond that, and without words, name order."""
    few = matches is not None and matches <= RANK_LIMIT
    if f.sort == "price":
        return qs.order_by(_key("external_price_fen", few).asc(nulls_last=True), "id")
    if f.sort == "-price":
        return qs.order_by(_key("external_price_fen", few).desc(nulls_last=True), "id")
    if f.sort == "newest":
        return qs.order_by(_key("created_at", few).desc(), "-id")
    return qs.order_by(_key("name", few).asc(), "id")


def _order_keys(f: CatalogueFilters) -> dict:
    """What comes after the words' score: what the firm can use — not under maintenance,
    free time in the next 7 days, nearby, voucher-eligible — then name order. (Every
    listed instrument is shared.)"""
    usable = Case(When(status=Instrument.Status.ACTIVE, then=Value(1)), default=Value(0),
                  output_field=IntegerField())  # fmt: skip
    near = Value(0)
    if f.near:
        near = Case(When(region_code__startswith=f.near[:4], then=Value(1)), default=Value(0),
                    output_field=IntegerField())  # fmt: skip
    # Precomputed by facilities.services.free_time (a beat task), never per result here.
    free_soon = Case(When(free_minutes_7d__gte=Instrument.FREE_SOON_MINUTES, then=Value(1)), default=Value(0),
                     output_field=IntegerField())  # fmt: skip
    return {"usable": usable, "free_soon": free_soon, "near": near}


RELEVANCE_ORDER = ("-score", "-usable", "-free_soon", "-near", "-voucher_eligible", "name", "id")


class _Candidates:
    """A text search's counter (``text_search(counter=...)``) that fetches what it counts:
    up to RANK_LIMIT + 1 matches with the short columns relevance reads
    (``facilities.search.rank.FIELDS``; in ``any`` mode also whether each term is held).
    The text filter then runs once per search, not once for the count and again, with a
    per-row score, for the order."""

    def __init__(self) -> None:
        self.rows: QuerySet | None = None
        self.fetched: list[tuple] = []

    def __call__(self, rows: QuerySet, outcome: SearchOutcome) -> int:
        qs = rows.order_by()
        flags: list[str] = []
        if outcome.mode == ANY:
            held = {f"held_{i}": ExpressionWrapper(term_q(t), output_field=BooleanField())
                    for i, t in enumerate(outcome.parsed.terms)}  # fmt: skip
            qs, flags = qs.annotate(**held), list(held)
        self.rows = rows
        self.fetched = list(qs.values_list(*rank.FIELDS, *flags)[: RANK_LIMIT + 1])
        return len(self.fetched)

    def for_rows(self, rows: QuerySet) -> list[tuple] | None:
        """The fetched matches of ``rows`` when they are few enough to rank, else None."""
        if self.rows is not rows or not self.fetched or len(self.fetched) > RANK_LIMIT:
            return None
        return self.fetched


def _ranked(fetched: list[tuple], f: CatalogueFilters, outcome: SearchOutcome) -> QuerySet:
    """The fetched matches in relevance order: the words' score computed in Python
    (``facilities.search.rank``) and handed to SQL as a CASE on id lists, so the rest of
    the order, name order in the database's collation included, stays the database's.
    The rows are read by id: the text filter has done its work."""
    mode = "any" if outcome.mode == ANY else "all"
    by_pk = rank.scores(outcome.parsed, fetched, category_ids=category_ids_naming, mode=mode)
    by_score: dict[int, list[int]] = {}
    for pk, value in by_pk.items():
        by_score.setdefault(value, []).append(pk)
    score = Case(*(When(pk__any_of=pks, then=Value(value)) for value, pks in by_score.items()),
                 default=Value(0), output_field=IntegerField())  # fmt: skip
    qs = Instrument.objects.filter(pk__any_of=list(by_pk))
    return qs.annotate(score=score, **_order_keys(f)).order_by(*RELEVANCE_ORDER)


def _is_filtered(f: CatalogueFilters) -> bool:
    return any((f.q.strip(), f.category, f.region, f.provider, f.provider_kind,
                f.price_min_fen is not None, f.price_max_fen is not None, f.free_from))  # fmt: skip


def instrument_search(*, actor=None, filters: CatalogueFilters) -> QuerySet[Instrument]:
    """Shared, not retired instruments matching ``filters``; anyone may browse the catalogue.
    The rows carry ``search`` (a SearchOutcome: which words they match, and whether the
    query was corrected or relaxed to find them)."""
    f = filters
    qs = catalogue_filtered(
        Instrument.objects.filter(_public()), f, price_field="external_price_fen", text=False
    )
    if f.accredited:
        qs = qs.filter(accredited_exists())
    if f.free_from and f.free_to:
        qs = qs.filter(_free_between_q(f.free_from, f.free_to))
    # The capped count (the paginator needs it anyway) also picks the query plan; for the
    # relevance order it fetches the matches it counts, to rank them without a second pass.
    candidates = _Candidates() if f.sort == "relevance" else None
    with unprepared():  # planned for this word, city and category (facilities.search.plans)
        qs, matches, outcome = text_search(qs, f.q, count_cap=RANK_LIMIT, counter=candidates)
    if matches is None and _is_filtered(f):
        matches = capped_count(qs, RANK_LIMIT)
    fetched = candidates.for_rows(qs) if candidates and outcome.parsed else None
    if fetched is not None:
        ordered = _ranked(fetched, f, outcome)
    else:
        ordered = _sorted(qs, f, matches=matches)
    rows = _with_list_fields(ordered, text=bool(outcome.parsed))
    rows.id_query = ordered
    # The page's rows by id need none of the filters (a long OR when the thesaurus expands).
    rows.page_rows = _with_list_fields(
        Instrument.objects.all(), text=bool(outcome.parsed)
    )  # the paginator's deferred join (facilities.pagination)
    # For the paginator: the count already taken, else the plain filtered rows to count.
    rows.capped_count = matches
    rows.count_source = qs
    rows.search = outcome
    return rows


def _with_list_fields(qs: QuerySet, *, text: bool) -> QuerySet:
    """The list's joins and columns; a text search also reads the uses and specifications,
    to show why each row matched."""
    qs = qs.select_related("provider__region__parent", "provider__provider", "category")
    return qs.defer(*(LIST_DEFER_TEXT if text else LIST_DEFER)).annotate(
        accredited=accredited_exists()
    )


def _detail_prefetches() -> list[Prefetch]:
    today = timezone.localdate()
    return [
        Prefetch("prices", queryset=Price.objects.order_by("client_group")),
        Prefetch("opening_hours", queryset=OpeningHours.objects.order_by("weekday", "opens_at")),
        Prefetch(
            "provider__provider__accreditations",
            queryset=Accreditation.objects.filter(expires_on__gte=today).order_by("type"),
            to_attr="valid_accreditations",
        ),
    ]


def _detail_qs() -> QuerySet[Instrument]:
    return Instrument.objects.select_related(
        "provider__region__parent", "provider__provider", "category__parent"
    ).prefetch_related(*_detail_prefetches())


def _visible_to(actor, instrument: Instrument | None) -> Instrument:
    """The instrument if ``actor`` may see it: listed ones for everyone, unshared or retired
    ones only for their provider's managers; NotFound otherwise."""
    if instrument is None:
        raise NotFound(code="instrument_not_found")
    listed = instrument.is_shared and instrument.status != Instrument.Status.RETIRED
    if not listed and not Scope.for_user(actor).can_manage_provider(instrument.provider_id):
        raise NotFound(code="instrument_not_found")
    return instrument


def instrument_get(*, actor=None, pk) -> Instrument:
    """The public instrument page; unshared or retired ones only for their managers."""
    instrument = _detail_qs().filter(pk=pk).first()
    return _visible_to(actor, instrument)


def instrument_get_for_page(*, actor=None, pk) -> Instrument:
    """``instrument_get`` for the public page: the instrument's own row only, as the page
    has the rest cached most of the time (``instrument_page_details_load`` adds it). One
    table, not seven: planning that join cost PostgreSQL more than running it."""
    instrument = next(
        iter(Instrument.objects.defer("search_text", "search_tokens").filter(pk=pk).order_by()),
        None,
    )
    return _visible_to(actor, instrument)


def instrument_page_details_load(*, instrument: Instrument) -> Instrument:
    """What ``instrument_get`` joins and prefetches: provider (profile, region), category,
    prices, weekly hours and the provider's valid accreditations."""
    instrument.provider = Organisation.objects.select_related("provider", "region__parent").get(
        pk=instrument.provider_id
    )
    instrument.category = Category.objects.select_related("parent").get(pk=instrument.category_id)
    prefetch_related_objects([instrument], *_detail_prefetches())
    return instrument


def instrument_get_for_manage(*, actor, pk) -> Instrument:
    """An instrument the actor manages; anything else is NotFound (404)."""
    instrument = _detail_qs().filter(pk=pk).first()
    if instrument is None or not Scope.for_user(actor).can_manage_provider(instrument.provider_id):
        raise NotFound(code="instrument_not_found")
    return instrument


def instrument_list_for_manager(*, actor, provider_ids=None, q: str = "") -> QuerySet[Instrument]:
    scope = Scope.for_user(actor)
    ids = scope.provider_ids if provider_ids is None else set(provider_ids) & scope.provider_ids
    qs = Instrument.objects.filter(provider_id__in=ids)
    text = text_filter(q)
    if text is not None:
        qs = qs.filter(text)
    # An instrument without weekly hours can be listed but never booked: the list flags it.
    has_hours = Exists(OpeningHours.objects.filter(instrument_id=OuterRef("pk")))
    return (
        qs.select_related("category", "provider")
        .defer(*LIST_DEFER)
        .annotate(has_opening_hours=has_hours)
        .order_by("status", "name", "pk")
    )


def instrument_next_free(*, instrument: Instrument, days: int = 7, limit: int = 8) -> list:
    """The next free windows in the coming ``days`` (free time as ``facilities.occupancy``
    reports it: booking's bookable time, or open time when nothing books)."""
    start = timezone.now()
    end = start + dt.timedelta(days=days)
    return list(free_intervals(instrument, start, end))[:limit]
