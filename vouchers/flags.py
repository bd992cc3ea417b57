"""Red flags for the auditors on claim lines: patterns that are not errors but deserve a
second look. They are computed when the claim is built, in a few batch queries for the
whole claim, recomputed when the facts may have changed (vouchers/services/claim_flags.py),
and stored on the line as plain data (``code`` plus the numbers behind
it), so the queue, a 5,000-line claim page and the exports read them without work and the
reviewer sees what the provider claimed against. ``flag_text`` says, translated, why each
one fired."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from booking.models import Booking, ServiceRequest, Session
from vouchers.models import ClaimLine, OrderVoucherHold, RelatedParty
from vouchers.selectors.claims import ids_in

# The thresholds are the programme's (Programme.flag_*: a voucher part at or above that
# share of the per-order cap but below it; that many orders between one firm and the
# provider in one claim; a session shorter than that share of the booked time). These are
# the defaults of those fields, used for a line whose programme cannot be read.
DEFAULTS = {"near_cap_pct": 90, "many_orders": 10, "short_session_pct": 50}
# Facts that can change after the build (a related party declared, a session or report
# corrected) are re-read on submit, at review start and when a reviewer opens the claim
# (vouchers/services/claim_flags.py).
FACT_CODES = ("related_party", "short_session", "report_before_samples")

CODES = ("near_cap", "many_orders", "related_party", "short_session", "report_before_samples")


def flag_text(flag: dict[str, Any]) -> str:
    """Why the flag fired, in the reader's language."""
    code = flag.get("code")
    if code == "near_cap":
        return _("Voucher part ¥%(amount)s is just under the per-order cap of ¥%(cap)s.") % {
            "amount": f"{flag['voucher_fen'] / 100:,.2f}",
            "cap": f"{flag['cap_fen'] / 100:,.2f}",
        }
    if code == "many_orders":
        return _("%(n)d orders between this firm and this provider in one claim.") % {
            "n": flag["orders"]
        }
    if code == "related_party":
        return _(
            "The firm and the provider declare the same related party: %(names)s "
            "(the voucher should have been refused)."
        ) % {"names": "、".join(flag["names"])}
    if code == "short_session":
        return _("Used %(used)d of %(booked)d booked minutes.") % {
            "used": flag["used_minutes"],
            "booked": flag["booked_minutes"],
        }
    if code == "report_before_samples":
        if flag.get("samples_received_at"):
            return _("The report (%(reported)s) was issued before the samples arrived "
                     "(%(received)s).") % {"reported": flag["reported_at"],
                                           "received": flag["samples_received_at"]}  # fmt: skip
        return _("The report (%(reported)s) was issued with no samples received on record.") % {
            "reported": flag["reported_at"]
        }
    return str(code)


def flag_label(code: str) -> str:
    return {
        "near_cap": _("Just under the cap"),
        "many_orders": _("Many orders, same firm and provider"),
        "related_party": _("Related party"),
        "short_session": _("Much shorter than booked"),
        "report_before_samples": _("Report before samples"),
    }.get(code, code)


def with_texts(flags: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"code": f["code"], "label": flag_label(f["code"]), "detail": flag_text(f)}
            for f in flags]  # fmt: skip


def _minutes(delta) -> int:
    return int(delta.total_seconds() // 60)


def _local(at) -> str:
    from django.utils import timezone

    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M")


def lines_flag(
    lines: list[ClaimLine], *, provider_id: int, settings: dict[int, dict] | None = None
) -> None:
    """Append ``flags`` to lines of one provider's claim (5 queries in all, 4 when the
    caller passes ``settings``: hold id → {cap_fen, near_cap_pct, many_orders,
    short_session_pct}, as ``hold_settings`` reads them)."""
    if not lines:
        return
    if settings is None:
        settings = hold_settings({ln.hold_id for ln in lines})
    _near_cap(lines, settings)
    _many_orders(lines, settings)
    _related_party(lines, provider_id)
    _short_sessions([ln for ln in lines if ln.order_kind == "booking"], settings)
    _reports_before_samples([ln for ln in lines if ln.order_kind == "service_request"])


def _add(line: ClaimLine, flag: dict[str, Any]) -> None:
    line.flags = [*(line.flags or []), flag]


def hold_settings(hold_ids) -> dict[int, dict[str, Any]]:
    """Hold id → the per-order cap of the rules version that priced it and its programme's
    flag thresholds (one query)."""
    rows = OrderVoucherHold.objects.filter(pk__in=ids_in(hold_ids)).values_list(
        "pk", "programme_version__rules__cap_per_order_fen",
        "programme_version__programme__flag_near_cap_pct",
        "programme_version__programme__flag_many_orders",
        "programme_version__programme__flag_short_session_pct",
    )  # fmt: skip
    return {pk: {"cap_fen": cap, "near_cap_pct": near, "many_orders": many,
                 "short_session_pct": short}
            for pk, cap, near, many, short in rows}  # fmt: skip


def _setting(settings: dict[int, dict], line: ClaimLine, name: str):
    value = settings.get(line.hold_id, {}).get(name)
    return DEFAULTS.get(name) if value is None else value


def _near_cap(lines: list[ClaimLine], settings: dict[int, dict]) -> None:
    for line in lines:
        cap = settings.get(line.hold_id, {}).get("cap_fen")
        pct = _setting(settings, line, "near_cap_pct")
        if cap and cap * pct // 100 <= line.voucher_fen < cap:
            _add(line, {"code": "near_cap", "voucher_fen": line.voucher_fen, "cap_fen": cap})


def _many_orders(lines: list[ClaimLine], settings: dict[int, dict]) -> None:
    per_firm = Counter(ln.firm_id for ln in lines)
    for line in lines:
        if per_firm[line.firm_id] >= _setting(settings, line, "many_orders"):
            _add(line, {"code": "many_orders", "orders": per_firm[line.firm_id]})


def _related_party(lines: list[ClaimLine], provider_id: int) -> None:
    firm_ids = {ln.firm_id for ln in lines}
    parties = RelatedParty.objects.filter(organisation_id__in=firm_ids | {provider_id})
    provider_parties: dict[str, str] = {}
    firm_parties: dict[int, dict[str, str]] = defaultdict(dict)
    for org_id, identifier, name in parties.values_list("organisation_id", "identifier", "name"):
        if org_id == provider_id:
            provider_parties[identifier] = name
        else:
            firm_parties[org_id][identifier] = name
    for line in lines:
        shared = sorted(provider_parties.keys() & firm_parties[line.firm_id].keys())
        if shared:
            _add(line, {"code": "related_party", "names": [provider_parties[i] for i in shared]})


def _short_sessions(lines: list[ClaimLine], settings: dict[int, dict]) -> None:
    if not lines:
        return
    ids = [ln.order_id for ln in lines]
    booked = {
        pk: (start, end)
        for pk, start, end in Booking.objects.filter(pk__in=ids_in(ids)).values_list(
            "pk", "start_at", "end_at"
        )
    }
    used = {
        pk: (start, end)
        for pk, start, end in Session.objects.filter(booking_id__in=ids_in(ids)).values_list(
            "booking_id", "actual_start_at", "actual_end_at"
        )
    }
    for line in lines:
        if line.order_id not in booked or line.order_id not in used or not used[line.order_id][1]:
            continue
        booked_min = _minutes(booked[line.order_id][1] - booked[line.order_id][0])
        used_min = _minutes(used[line.order_id][1] - used[line.order_id][0])
        pct = _setting(settings, line, "short_session_pct")
        if booked_min > 0 and used_min * 100 < booked_min * pct:
            _add(line, {"code": "short_session", "used_minutes": used_min,
                        "booked_minutes": booked_min})  # fmt: skip


def _reports_before_samples(lines: list[ClaimLine]) -> None:
    if not lines:
        return
    rows = ServiceRequest.objects.filter(pk__in=ids_in(ln.order_id for ln in lines)).values_list(
        "pk", "reported_at", "samples_received_at"
    )
    times = {pk: (reported, received) for pk, reported, received in rows}
    for line in lines:
        reported, received = times.get(line.order_id, (None, None))
        if reported is None or (received is not None and received <= reported):
            continue
        _add(line, {"code": "report_before_samples", "reported_at": _local(reported),
                    "samples_received_at": _local(received) if received else ""})  # fmt: skip
