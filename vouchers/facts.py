"""The facts the rules need about an order (or an order not yet placed), in few queries."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import Case, F, Q, Sum, When

from accounts.models import Organisation
from booking.order_events import OrderKind
from facilities.models import Instrument, TestingService
from vouchers.facts_sql import facts_sql
from vouchers.models import OrderVoucherHold, Programme, RelatedParty
from vouchers.rules import OrderFacts, Rules


def local_year_start(at: dt.datetime) -> dt.datetime:
    tz = ZoneInfo(settings.TIME_ZONE)
    local = at.astimezone(tz)
    return dt.datetime(local.year, 1, 1, tzinfo=tz)


def controller_group_q(firm_id: int, field: str = "firm_id") -> Q:
    """Firms that declared the same actual controller as ``firm_id`` (itself included)."""
    shared = RelatedParty.objects.filter(
        organisation_id=firm_id, role=RelatedParty.Role.ACTUAL_CONTROLLER
    ).values("identifier")
    related = RelatedParty.objects.filter(
        role=RelatedParty.Role.ACTUAL_CONTROLLER, identifier__in=shared
    ).values("organisation_id")
    return Q(**{field: firm_id}) | Q(**{f"{field}__in": related})


def item_id_of(order_kind: str, order) -> int:
    """The instrument a booking is of, or the testing service a request is for."""
    return order.instrument_id if order_kind == OrderKind.BOOKING else order.service_id


def order_facts(
    *, order_kind: str, item_id: int, firm_id: int, fee_fen: int, programme: Programme
) -> OrderFacts:
    """What the rules need to know of an order of ``item_id`` for ``firm_id``."""
    facts, _blocked, _used = order_facts_row(order_kind=order_kind, item_id=item_id,
                                             firm_id=firm_id, fee_fen=fee_fen, programme=programme)  # fmt: skip
    return facts


def order_facts_row(
    *, order_kind: str, item_id: int, firm_id: int, fee_fen: int, programme: Programme,
    rules: Rules | None = None, at: dt.datetime | None = None,
) -> tuple[OrderFacts, bool, int]:  # fmt: skip
    """``(facts, blocked, year_used_fen)`` in one statement (it runs on the booking hot
    path): the item's category and provider, the firm's region, whether firm and provider
    declared a shared party, and, with ``rules`` and ``at``, whether an audit barred firm or
    provider from the programme and what the firm (or its controller group) spent of the
    programme this year (``year_used_fen``'s sum, read after the hold's locks).

    Plain SQL built once per shape (``vouchers.facts_sql``): the ORM spent ~1.5 ms of CPU compiling
    this statement's subqueries on every booking with a voucher, the statement itself runs
    in ~0.1 ms. Raises the item model's DoesNotExist as ``.get()`` would."""
    service = order_kind != OrderKind.BOOKING
    year = None
    if rules is not None and rules.cap_per_year_fen is not None:
        year = "group" if rules.cap_per_controller else "firm"
    params = {"firm": firm_id, "item": item_id, "programme": programme.pk,
              "held": OrderVoucherHold.State.HELD,
              "controller": RelatedParty.Role.ACTUAL_CONTROLLER}  # fmt: skip
    if year:
        params["since"] = connection.ops.adapt_datetimefield_value(local_year_start(at))
    with connection.cursor() as cursor:
        cursor.execute(facts_sql(service, rules is not None, year), params)
        row = cursor.fetchone()
    return facts_of_row(row, order_kind=order_kind, fee_fen=fee_fen, programme=programme)


def facts_of_row(
    row: tuple | None, *, order_kind: str, fee_fen: int, programme: Programme
) -> tuple[OrderFacts, bool, int]:
    """``order_facts_row``'s answer from a row of the facts statement (or of the hold's lock
    statement, ``vouchers.ledger.vouchers_lock_facts``, which reads the same columns)."""
    service = order_kind != OrderKind.BOOKING
    if row is None or row[1] is None:  # no item (its provider is never NULL)
        raise (TestingService if service else Instrument).DoesNotExist
    path, provider_id, provider_region, firm_region, related, blocked, used, *item = row
    facts = OrderFacts(
        kind=order_kind, fee_fen=fee_fen, provider_id=provider_id,
        provider_region=provider_region, firm_region=firm_region,
        programme_region=programme.region_id, category_path=path or "",
        statutory=bool(item[0]) if service else False, related_party=bool(related),
        item_accepts_vouchers=bool(item[1]) if service else True,
    )  # fmt: skip
    return facts, bool(blocked), int(used or 0)  # sum() of bigint is numeric in PostgreSQL


_SPENT = Case(
    When(state=OrderVoucherHold.State.HELD, then=F("held_fen")),
    default=F("captured_fen") - F("reversed_fen"),
)


def _year_holds(rules: Rules, programme_id: int, firm_id: int, at: dt.datetime):
    group = controller_group_q(firm_id, "voucher__firm_id") if rules.cap_per_controller else None
    holds = OrderVoucherHold.objects.filter(
        voucher__programme_id=programme_id, created_at__gte=local_year_start(at)
    )
    return holds.filter(group) if group is not None else holds.filter(voucher__firm_id=firm_id)


def year_used_fen(rules: Rules, programme_id: int, firm_id: int, at: dt.datetime) -> int:
    """What the firm (or, with a per-controller cap, its controller's firms) spends of the
    programme this calendar year: live holds plus captures less reversals."""
    if rules.cap_per_year_fen is None:
        return 0
    return _year_holds(rules, programme_id, firm_id, at).aggregate(s=Sum(_SPENT))["s"] or 0


def spending_group_firm_ids(rules: Rules, firm_id: int) -> list[int]:
    """The firms whose spending a yearly cap counts together: the firm alone, or with a
    per-controller cap every firm that declared one of its actual controllers."""
    if rules.cap_per_year_fen is None:
        return []
    if not rules.cap_per_controller:
        return [firm_id]
    related = Organisation.objects.filter(controller_group_q(firm_id, "pk"))
    return sorted({firm_id, *related.values_list("pk", flat=True)})
