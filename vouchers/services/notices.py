"""Publish a programme's voucher uses for a period as a public notice (公示), frozen; add
corrections beside it. Only reviewers of the programme's issuer."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, User
from booking.models import Booking, ServiceRequest
from config.errors import Conflict, Invalid, NotFound
from vouchers.models import LedgerEntry, NoticeCorrection, PublicNotice
from vouchers.selectors.claims import day_start
from vouchers.services.access import programme_for_review


def _rows(programme_id: int, start: dt.date, end: dt.date) -> list[dict]:
    entries = list(LedgerEntry.objects.filter(
        kind=LedgerEntry.Kind.CAPTURE, voucher__programme_id=programme_id,
        at__gte=day_start(start), at__lt=day_start(end + dt.timedelta(days=1)),
    ).select_related("voucher__firm").order_by("at", "pk"))  # fmt: skip
    ids = {"booking": [], "service_request": []}
    for e in entries:
        ids.setdefault(e.order_kind, []).append(e.order_id)
    orders = {("booking", pk): (name, provider, fee) for pk, name, provider, fee in
              Booking.objects.filter(pk__in=ids["booking"]).values_list(
                  "pk", "instrument__name", "instrument__provider_id", "fee_fen")}  # fmt: skip
    orders |= {("service_request", pk): (name, provider, fee) for pk, name, provider, fee in
               ServiceRequest.objects.filter(pk__in=ids["service_request"]).values_list(
                   "pk", "service__name", "service__provider_id", "fee_fen")}  # fmt: skip
    names = dict(
        Organisation.objects.filter(pk__in={o[1] for o in orders.values()}).values_list(
            "pk", "name"
        )
    )
    return [{
        "firm": e.voucher.firm.name, "firm_id": e.voucher.firm_id, "provider": names.get(orders[(e.order_kind, e.order_id)][1], ""),
        "service": orders[(e.order_kind, e.order_id)][0], "order": f"{e.order_kind}:{e.order_id}",
        "completed_on": timezone.localtime(e.at).date().isoformat(),
        "fee_fen": orders[(e.order_kind, e.order_id)][2] or 0, "voucher_fen": e.amount_fen,
    } for e in entries if (e.order_kind, e.order_id) in orders]  # fmt: skip


def notice_publish(
    *, actor: User, programme_id: int, period_start: dt.date, period_end: dt.date,
    notice_days: int = 7, audit_seed: int | None = None,
) -> PublicNotice:  # fmt: skip
    """Freeze the period's uses (firm, provider, service, amounts) into a public notice.
    Errors: NotFound; Invalid ``period_invalid``, ``notice_days_invalid``; Conflict
    ``nothing_to_publish``."""
    programme = programme_for_review(actor, programme_id)
    if period_end < period_start:
        message = _("The period must end on or after its first day.")
        raise Invalid(message, code="period_invalid", fields={"period_end": [str(message)]})
    if not 1 <= notice_days <= 90:
        message = _("The notice period is 1 to 90 days.")
        raise Invalid(message, code="notice_days_invalid", fields={"notice_days": [str(message)]})
    rows = _rows(programme.pk, period_start, period_end)
    if not rows:
        raise Conflict(_("No voucher uses in this period to publish."), code="nothing_to_publish")
    with transaction.atomic():
        return PublicNotice.objects.create(
            programme=programme, period_start=period_start, period_end=period_end,
            notice_until=timezone.localdate() + dt.timedelta(days=notice_days), rows=rows,
            total_fen=sum(r["voucher_fen"] for r in rows), audit_seed=audit_seed, published_by=actor,
        )  # fmt: skip


def notice_correct(*, actor: User, notice_id: int, text: str) -> NoticeCorrection:
    """Publish a correction beside the frozen notice. Errors: NotFound; Invalid ``text_required``."""
    notice = PublicNotice.objects.filter(pk=notice_id).first()
    if notice is None:
        raise NotFound(_("Notice not found."), code="notice_not_found")
    programme_for_review(actor, notice.programme_id)
    text = (text or "").strip()
    if not text:
        raise Invalid(_("Say what is corrected."), code="text_required",
                      fields={"text": [str(_("Say what is corrected."))]})  # fmt: skip
    return NoticeCorrection.objects.create(notice=notice, text=text, published_by=actor)
