"""A programme's rules as data, and the arithmetic of what its vouchers pay: pure functions.

Nothing here touches the database. The services gather the facts (``OrderFacts``, the
vouchers' balances, the firm's use this year), call ``split`` or ``capture_split``, and
write what comes back. Every amount carries a ``trace``: the steps that made it (which
tier, which cap or balance limited it), as plain data (``step`` plus numbers) that
``trace_text`` turns into a sentence in the user's language.

Rounding: the coverage is summed exactly (Decimal) over the tiers and rounded half up to
the fen once (``config.money.round_fen``); caps and balances are whole fen already.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from config.errors import Invalid
from config.money import format_fen, round_fen

FULL_BP = 10_000
ORDER_KINDS = ("booking", "service_request")
PROVIDER_SCOPES = ("all", "region", "named")
LOCATIONS = ("same_county", "same_city", "same_province", "elsewhere")
FIRM_SIZES = ("small", "micro")


@dataclass(frozen=True)
class Band:
    """``ratio_bp`` (basis points: 5000 = 50%) of the part of a fee up to ``up_to_fen``
    (None: no upper end) above the previous band's end."""

    up_to_fen: int | None
    ratio_bp: int


@dataclass(frozen=True)
class Rules:
    tiers: tuple[Band, ...] = (Band(None, 5000),)
    # When set, the share depends on where the provider is relative to the firm, and
    # replaces the tiers: {"same_county": 5000, "same_city": 4000, ...}.
    location_ratio_bp: dict[str, int] | None = None
    cap_per_order_fen: int | None = None
    cap_held_fen: int | None = None
    cap_per_year_fen: int | None = None
    cap_per_controller: bool = False
    voucher_valid_days: int = 90
    order_kinds: tuple[str, ...] = ORDER_KINDS
    categories_included: tuple[str, ...] = ()
    categories_excluded: tuple[str, ...] = ()
    exclude_statutory: bool = True
    providers: str = "all"
    provider_ids: tuple[int, ...] = ()
    outside_province: bool = False
    firm_sizes: tuple[str, ...] = FIRM_SIZES


def rules_dump(rules: Rules) -> dict[str, Any]:
    """The JSON stored on a programme and its versions."""
    data = asdict(rules)
    data["tiers"] = [asdict(b) for b in rules.tiers]
    for key in (
        "order_kinds",
        "categories_included",
        "categories_excluded",
        "provider_ids",
        "firm_sizes",
    ):
        data[key] = list(data[key])
    return data  # fmt: skip


def _fail(errors: dict[str, list[str]]) -> Invalid:
    first = next(iter(errors.values()))[0]
    return Invalid(first, code="programme_rules_invalid", fields=errors)


def _money(value, name: str, errors, *, optional=True) -> int | None:
    if value in (None, ""):
        if not optional:
            errors.setdefault(name, []).append(_("Give an amount."))
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        errors.setdefault(name, []).append(_("An amount must be a positive number of fen."))
        return None
    return value


def _ratio(value, name: str, errors) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= FULL_BP:
        errors.setdefault(name, []).append(_("A share must lie between 0.01% and 100%."))
        return FULL_BP
    return value


def _tiers(raw, errors) -> tuple[Band, ...]:
    if not isinstance(raw, list) or not raw:
        errors.setdefault("tiers", []).append(_("Give at least one coverage band."))
        return ()
    bands, previous = [], 0
    for i, item in enumerate(raw):
        item = item if isinstance(item, dict) else {}
        up_to = _money(item.get("up_to_fen"), "tiers", errors)
        ratio = _ratio(item.get("ratio_bp"), "tiers", errors)
        if up_to is None and i != len(raw) - 1:
            errors.setdefault("tiers", []).append(_("Only the last band may be open-ended."))
        if up_to is not None and up_to <= previous:
            errors.setdefault("tiers", []).append(_("Each band must end above the previous one."))
        previous = up_to or previous
        bands.append(Band(up_to, ratio))
    return tuple(bands)


def _choices(raw, allowed, name, errors, *, empty_ok) -> tuple:
    values = tuple(raw or ())
    if not empty_ok and not values:
        errors.setdefault(name, []).append(_("Choose at least one."))
    if any(v not in allowed for v in values):
        errors.setdefault(name, []).append(_("Unknown choice."))
    return values


def rules_parse(data: dict[str, Any]) -> Rules:
    """Validated ``Rules`` from their JSON; Invalid ``programme_rules_invalid`` with one
    message per broken field otherwise."""
    data = data if isinstance(data, dict) else {}
    errors: dict[str, list[str]] = {}
    location = data.get("location_ratio_bp")
    if location is not None:
        if not isinstance(location, dict) or set(location) != set(LOCATIONS):
            errors.setdefault("location_ratio_bp", []).append(
                _(
                    "Give a share for each location: same county, same city, same province, elsewhere."
                )
            )
            location = None
        else:
            location = {k: _ratio(location[k], "location_ratio_bp", errors) for k in LOCATIONS}
    days = data.get("voucher_valid_days", 90)
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 3660:
        errors.setdefault("voucher_valid_days", []).append(
            _("A voucher's validity is 1 to 3,660 days.")
        )
    providers = data.get("providers", "all")
    if providers not in PROVIDER_SCOPES:
        errors.setdefault("providers", []).append(_("Unknown choice."))
    provider_ids = tuple(int(p) for p in data.get("provider_ids") or () if str(p).isdigit())
    if providers == "named" and not provider_ids:
        errors.setdefault("provider_ids", []).append(_("Name at least one provider."))
    rules = Rules(
        tiers=_tiers(data.get("tiers"), errors),
        location_ratio_bp=location,
        cap_per_order_fen=_money(data.get("cap_per_order_fen"), "cap_per_order_fen", errors),
        cap_held_fen=_money(data.get("cap_held_fen"), "cap_held_fen", errors),
        cap_per_year_fen=_money(data.get("cap_per_year_fen"), "cap_per_year_fen", errors),
        cap_per_controller=bool(data.get("cap_per_controller", False)),
        voucher_valid_days=days if isinstance(days, int) else 90,
        order_kinds=_choices(data.get("order_kinds", ORDER_KINDS), ORDER_KINDS, "order_kinds",
                             errors, empty_ok=False),
        categories_included=tuple(str(c) for c in data.get("categories_included") or ()),
        categories_excluded=tuple(str(c) for c in data.get("categories_excluded") or ()),
        exclude_statutory=bool(data.get("exclude_statutory", True)),
        providers=providers,
        provider_ids=provider_ids,
        outside_province=bool(data.get("outside_province", False)),
        firm_sizes=_choices(data.get("firm_sizes", FIRM_SIZES), FIRM_SIZES, "firm_sizes",
                            errors, empty_ok=False),
    )  # fmt: skip
    if errors:
        raise _fail(errors)
    return rules


# ---- facts and results ---------------------------------------------------------------


@dataclass(frozen=True)
class OrderFacts:
    """What the rules need to know of an order (gathered by vouchers.services.facts)."""

    kind: str
    fee_fen: int
    provider_id: int
    provider_region: str
    firm_region: str
    programme_region: str
    category_path: str = ""
    statutory: bool = False
    related_party: bool = False
    # The provider's own "voucher eligible" switch on a testing service (not a programme rule).
    item_accepts_vouchers: bool = True


@dataclass(frozen=True)
class VoucherFacts:
    voucher_id: int
    available_fen: int
    expires_at: dt.datetime


@dataclass(frozen=True)
class Refusal:
    """Why a voucher pays nothing. ``error`` is the order's error code (409
    voucher_expired / voucher_exhausted, 400 voucher_not_applicable); ``reason`` the rule."""

    voucher_id: int
    error: str
    reason: str
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return refusal_text(self.reason, self.data)


@dataclass
class Line:
    voucher_id: int
    amount_fen: int
    trace: list[dict[str, Any]]


@dataclass
class Split:
    fee_fen: int
    lines: list[Line]
    refusals: list[Refusal]

    @property
    def voucher_fen(self) -> int:
        return sum(line.amount_fen for line in self.lines)

    @property
    def firm_fen(self) -> int:
        return self.fee_fen - self.voucher_fen


# ---- the arithmetic -------------------------------------------------------------------


def location_of(provider_region: str, firm_region: str) -> str:
    """Where the provider is relative to the firm, by GB/T 2260 code prefixes."""
    if provider_region == firm_region:
        return "same_county"
    if provider_region[:4] == firm_region[:4]:
        return "same_city"
    if provider_region[:2] == firm_region[:2]:
        return "same_province"
    return "elsewhere"


def coverage(rules: Rules, order: OrderFacts) -> tuple[int, list[dict[str, Any]]]:
    """The share of ``order.fee_fen`` the programme covers before caps, rounded once."""
    fee = order.fee_fen
    if rules.location_ratio_bp:
        where = location_of(order.provider_region, order.firm_region)
        ratio = rules.location_ratio_bp[where]
        amount = round_fen(Decimal(fee) * ratio / FULL_BP)
        return amount, [
            {"step": "location", "where": where, "ratio_bp": ratio, "portion_fen": fee},
            {"step": "coverage", "amount_fen": amount},
        ]
    exact, trace, start = Decimal(0), [], 0
    for band in rules.tiers:
        end = fee if band.up_to_fen is None else min(fee, band.up_to_fen)
        if end <= start:
            break
        exact += Decimal(end - start) * band.ratio_bp / FULL_BP
        trace.append({"step": "tier", "from_fen": start, "to_fen": band.up_to_fen,
                      "ratio_bp": band.ratio_bp, "portion_fen": end - start})  # fmt: skip
        start = end
    amount = round_fen(exact)
    trace.append({"step": "coverage", "amount_fen": amount})
    return amount, trace


def _limit(amount: int, limit: int | None, step: dict[str, Any], trace: list) -> int:
    if limit is not None and limit < amount:
        trace.append({**step, "amount_fen": max(limit, 0)})
        return max(limit, 0)
    return amount


def category_matches(path: str, codes: tuple[str, ...]) -> bool:
    parts = set(path.split("/")) if path else set()
    return any(code in parts for code in codes)


def provider_eligible(rules: Rules, order: OrderFacts) -> bool:
    if rules.providers == "named":
        return order.provider_id in rules.provider_ids
    if rules.providers == "all":
        return True
    in_region = order.provider_region.startswith(_prefix(order.programme_region))
    outside = not order.provider_region.startswith(order.programme_region[:2])
    return in_region or (rules.outside_province and outside)


def _prefix(code: str) -> str:
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


def order_refusal(rules: Rules, order: OrderFacts, programme_status: str) -> str | None:
    """The reason the programme's vouchers cannot pay ``order`` at all, or None."""
    if programme_status != "published":
        return "programme_paused" if programme_status == "paused" else "programme_not_open"
    if order.kind not in rules.order_kinds:
        return "wrong_order_kind"
    if not order.item_accepts_vouchers:
        return "item_not_eligible"
    if rules.exclude_statutory and order.statutory:
        return "statutory_excluded"
    if rules.categories_excluded and category_matches(
        order.category_path, rules.categories_excluded
    ):
        return "category_excluded"
    if rules.categories_included and not category_matches(
        order.category_path, rules.categories_included
    ):
        return "category_not_included"
    if not provider_eligible(rules, order):
        return "provider_not_eligible"
    if order.related_party:
        return "related_party"
    return None


def split(
    rules: Rules,
    order: OrderFacts,
    vouchers: list[VoucherFacts],
    *,
    programme_status: str,
    year_used_fen: int,
    now: dt.datetime,
) -> Split:
    """What each of ``vouchers`` (one programme's, in the firm's order) pays of the order.

    The programme's allowance is its coverage of the fee, limited by the per-order cap and
    what is left of the yearly cap; it is spread over the vouchers, each paying at most its
    balance. A voucher that pays nothing gets a ``Refusal`` saying why."""
    reason = order_refusal(rules, order, programme_status)
    if reason:
        return Split(order.fee_fen, [], [Refusal(v.voucher_id, "voucher_not_applicable", reason)
                                         for v in vouchers])  # fmt: skip
    allowance, trace = coverage(rules, order)
    allowance = _limit(
        allowance,
        rules.cap_per_order_fen,
        {"step": "cap_per_order", "cap_fen": rules.cap_per_order_fen},
        trace,
    )
    if rules.cap_per_year_fen is not None:
        left = rules.cap_per_year_fen - year_used_fen
        allowance = _limit(
            allowance,
            left,
            {
                "step": "cap_per_year",
                "cap_fen": rules.cap_per_year_fen,
                "used_fen": year_used_fen,
                "shared": rules.cap_per_controller,
            },
            trace,
        )
    # fmt: skip
    lines, refusals, paid = [], [], 0
    for v in vouchers:
        if v.expires_at <= now:
            refusals.append(Refusal(v.voucher_id, "voucher_expired", "expired",
                                    {"expires_at": v.expires_at.isoformat()}))  # fmt: skip
            continue
        want = allowance - paid
        line_trace = list(trace)
        if paid:
            line_trace.append({"step": "paid_by_other_vouchers", "amount_fen": paid})
        amount = _limit(
            want, v.available_fen, {"step": "balance", "available_fen": v.available_fen}, line_trace
        )
        if amount <= 0:
            refusals.append(_exhausted(v, allowance, paid, trace))
            continue
        lines.append(Line(v.voucher_id, amount, line_trace))
        paid += amount
    return Split(order.fee_fen, lines, refusals)


def _exhausted(v: VoucherFacts, allowance: int, paid: int, trace) -> Refusal:
    if v.available_fen <= 0:
        return Refusal(v.voucher_id, "voucher_exhausted", "no_balance")
    if allowance <= 0 and any(s["step"] == "cap_per_year" for s in trace):
        return Refusal(v.voucher_id, "voucher_exhausted", "cap_per_year_reached")
    if paid:
        return Refusal(v.voucher_id, "voucher_not_applicable", "covered_by_other_vouchers")
    return Refusal(v.voucher_id, "voucher_not_applicable", "nothing_to_cover")


def capture_split(
    rules: Rules, order: OrderFacts, held: list[tuple[int, int]]
) -> list[tuple[int, int, list[dict[str, Any]]]]:
    """At completion: ``(hold id, capture_fen, trace)`` for each ``(hold id, held_fen)``.
    The voucher part of the actual fee under the rules that priced the holds, limited by the
    per-order cap and never more than was held; the rest of each hold is released."""
    allowance, trace = coverage(rules, order)
    allowance = _limit(
        allowance,
        rules.cap_per_order_fen,
        {"step": "cap_per_order", "cap_fen": rules.cap_per_order_fen},
        trace,
    )
    result, paid = [], 0
    for hold_id, held_fen in held:
        line_trace = list(trace)
        amount = _limit(allowance - paid, held_fen, {"step": "held", "held_fen": held_fen},
                        line_trace)  # fmt: skip
        result.append((hold_id, amount, line_trace))
        paid += amount
    return result


# ---- words ----------------------------------------------------------------------------


@lru_cache(maxsize=256)
def _pct(bp: int) -> str:
    return f"{Decimal(bp) / 100:g}%"


def trace_texts() -> dict[str, str]:
    """The trace's sentence templates in the active language, for ``trace_text(texts=…)``:
    a caller rendering several steps looks the language up once (``get_language`` costs
    ~10 µs of CPU, as much as the rest of a step's sentence)."""
    return _trace_texts(get_language())


def trace_text(step: dict[str, Any], texts: dict[str, str] | None = None) -> str:
    """One trace step as a sentence in the active language (``texts``: its templates, as
    ``trace_texts()`` gives them)."""
    s, money = step.get("step"), lambda key: format_fen(step.get(key))
    if texts is None:
        texts = _trace_texts(get_language())
    if s == "tier":
        if step.get("to_fen") is None:
            return texts["tier_open"] % {
                "ratio": _pct(step["ratio_bp"]), "start": money("from_fen"),
                "portion": money("portion_fen")}  # fmt: skip
        return texts["tier"] % {
            "ratio": _pct(step["ratio_bp"]), "start": money("from_fen"), "end": money("to_fen"),
            "portion": money("portion_fen")}  # fmt: skip
    if s == "location":
        return texts["location"] % {
            "ratio": _pct(step["ratio_bp"]), "where": location_text(step["where"])}  # fmt: skip
    text = texts.get(s)
    if text is None or s in _NOT_AMOUNT_STEPS:
        return str(s)
    return text % {
        "amount": money("amount_fen"),
        "cap": money("cap_fen"),
        "used": money("used_fen"),
    }


_NOT_AMOUNT_STEPS = frozenset({"tier", "tier_open", "location"})
_TRACE_TEXTS: dict[str | None, dict[str, str]] = {}


def _trace_texts(language: str | None) -> dict[str, str]:
    """The trace's sentence templates in ``language``, translated once per language and
    process: every order's response renders its payment's trace, and the seven gettext
    lookups per step cost more CPU than the rest of the rendering (issue 11's profile).
    Cleared when the translation settings change (``_trace_texts_clear``)."""
    texts = _TRACE_TEXTS.get(language)
    if texts is None:
        texts = {
            "tier_open": _("%(ratio)s of the part above %(start)s (%(portion)s)"),
            "tier": _("%(ratio)s of the part from %(start)s to %(end)s (%(portion)s)"),
            "location": _("%(ratio)s of the fee: the provider is %(where)s"),
            "coverage": _("Coverage: %(amount)s"),
            "cap_per_order": _("Limited to %(amount)s by the cap of %(cap)s per order"),
            "cap_per_year": _("Limited to %(amount)s by the yearly cap of %(cap)s (%(used)s used this year)"),
            "balance": _("Limited to %(amount)s by the voucher's balance"),
            "paid_by_other_vouchers": _("%(amount)s already paid by the other vouchers"),
            "held": _("Limited to %(amount)s, the amount held when the order was placed"),
        }  # fmt: skip
        _TRACE_TEXTS[language] = texts
    return texts


@receiver(setting_changed)
def _trace_texts_clear(*, setting: str, **kwargs) -> None:
    """Django drops its loaded catalogues when these settings change; so do we."""
    if setting in {"LANGUAGES", "LANGUAGE_CODE", "LOCALE_PATHS", "USE_I18N"}:
        _TRACE_TEXTS.clear()


def location_text(where: str) -> str:
    return {
        "same_county": _("in the firm's county"),
        "same_city": _("in the firm's city"),
        "same_province": _("in the firm's province"),
        "elsewhere": _("outside the firm's province"),
    }.get(where, where)


def refusal_text(reason: str, data: dict[str, Any] | None = None) -> str:
    """Why a voucher cannot pay, in the active language."""
    texts = {
        "programme_paused": _("The voucher programme is paused."),
        "programme_not_open": _("The voucher programme is not open."),
        "wrong_order_kind": _("This voucher does not pay for this kind of order."),
        "item_not_eligible": _("The provider does not accept vouchers for this service."),
        "statutory_excluded": _("Mandatory or statutory testing cannot be paid with vouchers."),
        "category_excluded": _("This voucher does not pay for this category of service."),
        "category_not_included": _("This voucher does not pay for this category of service."),
        "provider_not_eligible": _("This provider does not accept this voucher."),
        "related_party": _("The provider is a related party of the firm (shared legal representative, shareholder or controller)."),
        "expired": _("The voucher has expired."),
        "no_balance": _("The voucher has no balance left."),
        "cap_per_year_reached": _("The firm has reached this programme's yearly cap."),
        "covered_by_other_vouchers": _("The other vouchers already pay everything this programme covers."),
        "nothing_to_cover": _("There is nothing for this voucher to pay."),
        "mixed_programmes": _("Vouchers of different programmes cannot pay one order."),
        "voucher_not_found": _("Voucher not found."),
    }  # fmt: skip
    return texts.get(reason, reason)
