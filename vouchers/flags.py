"""Red flags for the auditors on claim lines: patterns that are not errors but deserve a
second look. They are computed once, when the claim is built, in a few batch queries for
the whole claim, and stored on the line as plain data (``code`` plus the numbers behind
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

# A voucher part at or above this share of the programme's per-order cap, but below it:
# orders priced (or split) to stay just under the cap.
NEAR_CAP_BP = 9_000
# This many orders or more between one firm and one provider in one claim.
MANY_ORDERS = 10
# A session that lasted less than this share of the booked time.
SHORT_SESSION_BP = 5_000

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


def lines_flag(lines: list[ClaimLine], *, provider_id: int) -> None:
    """Set ``flags`` on unsaved lines of one provider's claim (4 queries in all)."""
    if not lines:
        return
    _near_cap(lines)
    _many_orders(lines)
    _related_party(lines, provider_id)
    _short_sessions([ln for ln in lines if ln.order_kind == "booking"])
    _reports_before_samples([ln for ln in lines if ln.order_kind == "service_request"])


def _add(line: ClaimLine, flag: dict[str, Any]) -> None:
    line.flags = [*(line.flags or []), flag]


def _near_cap(lines: list[ClaimLine]) -> None:
    caps = dict(
        OrderVoucherHold.objects.filter(pk__in=ids_in({ln.hold_id for ln in lines})).values_list(
            "pk", "programme_version__rules__cap_per_order_fen"
        )
    )
    for line in lines:
        cap = caps.get(line.hold_id)
        if cap and cap * NEAR_CAP_BP // 10_000 <= line.voucher_fen < cap:
            _add(line, {"code": "near_cap", "voucher_fen": line.voucher_fen, "cap_fen": cap})


def _many_orders(lines: list[ClaimLine]) -> None:
    per_firm = Counter(ln.firm_id for ln in lines)
    for line in lines:
        if per_firm[line.firm_id] >= MANY_ORDERS:
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


def _short_sessions(lines: list[ClaimLine]) -> None:
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
        if booked_min > 0 and used_min * 10_000 < booked_min * SHORT_SESSION_BP:
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
