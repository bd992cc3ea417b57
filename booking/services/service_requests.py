"""Writes for testing-service requests: order, then move along DESIGN.md's state machine.

Every state change goes through ``booking.transitions.transition`` (compare-and-set
on the old status plus a StateChange row), so two managers clicking at once get
one change and one clean 409. Notifications are created in the same transaction;
their emails leave on commit (booking.notifications).

Due date: set when the lab accepts (accept date + the service's turnaround in
working days) and set again from the day the samples arrive, because a lab's
turnaround runs from receipt. Working days are China's official ones, holidays and
调休 included (``booking.working_days``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.scoping import Scope
from booking import reports
from booking.models import ServiceRequest, ServiceRequestAttachment
from booking.services.service_request_notices import notify_firm, notify_managers
from booking.transitions import can_move, record_creation, transition
from booking.working_days import working_days_due
from config.errors import Forbidden, Invalid, InvalidTransition
from config.text import LONG_TEXT, SHORT_TEXT, text_errors
from facilities.accreditation_scope import mark_label, marks_allowed
from facilities.models import TestingService

S = ServiceRequest.Status
MAX_SAMPLES = 1000


@dataclass(frozen=True)
class Order:
    """What a firm asks for, checked as one value."""

    sample_count: int
    sample_description: str
    standards: str = ""
    delivery: str = ServiceRequest.Delivery.DROP_OFF
    tracking_number: str = ""
    desired_date: dt.date | None = None


def _check_order(service: TestingService, order: Order) -> None:
    errors: dict[str, list[str]] = {}
    if not service.is_active:
        raise Invalid(_("This testing service is not available."), code="service_inactive")
    if not 1 <= order.sample_count <= MAX_SAMPLES:
        errors["sample_count"] = [str(_("Between 1 and %(n)d samples.") % {"n": MAX_SAMPLES})]
    if not order.sample_description.strip():
        errors["sample_description"] = [str(_("Describe the samples."))]
    if order.delivery not in ServiceRequest.Delivery.values:
        errors["delivery"] = [str(_("Choose how the samples reach the lab."))]
    elif order.delivery == ServiceRequest.Delivery.COURIER and not order.tracking_number.strip():
        errors["tracking_number"] = [str(_("Give the courier's tracking number."))]
    if order.desired_date and order.desired_date < timezone.localdate():
        errors["desired_date"] = [str(_("The desired date is in the past."))]
    errors |= text_errors(
        {
            "sample_description": (order.sample_description, LONG_TEXT),
            "standards": (order.standards, SHORT_TEXT),
            "tracking_number": (order.tracking_number, 60),
        }
    )
    if errors:
        raise Invalid(_("Please correct the order."), code="invalid_order", fields=errors)


def service_request_create(
    *,
    actor,
    firm,
    service: TestingService,
    sample_count: int,
    sample_description: str,
    standards: str = "",
    delivery: str = ServiceRequest.Delivery.DROP_OFF,
    tracking_number: str = "",
    desired_date: dt.date | None = None,
    attachments=(),
    voucher_ids=(),
) -> ServiceRequest:
    """Place an order for ``firm`` at ``service.quote_fen(sample_count)``; the due date
    is set later, on acceptance. Raises Forbidden (actor not a member of the firm),
    Invalid (inactive service, bad input, bad attachment). Notifies the provider's
    managers. ``voucher_ids`` ride on the creation event (the vouchers app holds their part
    or refuses the order). A failure stores no file."""
    order = Order(
        sample_count=sample_count,
        sample_description=sample_description,
        standards=standards,
        delivery=delivery,
        tracking_number=tracking_number,
        desired_date=desired_date,
    )
    if not Scope.for_user(actor).can_act_for_firm(firm.pk):
        raise Forbidden(_("You can order only for your own firm."), code="not_firm_member")
    _check_order(service, order)
    files = reports.validate_attachments(attachments)
    stored: list[str] = []
    try:
        with transaction.atomic():
            sr = ServiceRequest.objects.create(
                service=service,
                firm=firm,
                requested_by=actor,
                sample_count=order.sample_count,
                sample_description=order.sample_description.strip(),
                standards=order.standards.strip(),
                delivery=order.delivery,
                tracking_number=order.tracking_number.strip(),
                desired_date=order.desired_date,
                quote_fen=service.quote_fen(order.sample_count),
            )
            record_creation(sr, actor=actor, voucher_ids=tuple(voucher_ids))
            for upload in files:
                stored.append(reports.store(upload, folder="request-attachments"))
                ServiceRequestAttachment.objects.create(
                    request=sr, file=stored[-1], name=upload.name[:200], uploaded_by=actor
                )
            notify_managers(sr, event="submitted")
    except BaseException:
        reports.discard(stored)
        raise
    return sr


def _require_provider(actor, sr: ServiceRequest) -> None:
    if not Scope.for_user(actor).can_manage_provider(sr.service.provider_id):
        raise Forbidden(_("Only the provider's lab managers can do this."), code="not_lab_manager")


def _require_firm(actor, sr: ServiceRequest) -> None:
    if not Scope.for_user(actor).can_act_for_firm(sr.firm_id):
        raise Forbidden(_("Only the ordering firm can do this."), code="not_firm_member")


def _require_reason(reason: str) -> str:
    if not reason.strip():
        raise Invalid(
            _("Give a reason."), code="reason_required", fields={"reason": [str(_("Required."))]}
        )
    return reason.strip()


def _require_legal(sr: ServiceRequest, to: str) -> None:
    """Refuse an illegal move before any file is stored (``transition`` re-checks it
    atomically; this only spares a pointless upload)."""
    if not can_move(sr, to):
        raise InvalidTransition(
            _("Cannot change from “%(from)s” to “%(to)s”.")
            % {"from": S(sr.status).label, "to": S(to).label},
            data={"status": sr.status},
        )


def service_request_accept(*, actor, sr: ServiceRequest, reason: str = "") -> ServiceRequest:
    """submitted → accepted; sets the due date. Raises Forbidden, InvalidTransition (409)."""
    _require_provider(actor, sr)
    due = working_days_due(timezone.localdate(), sr.service.turnaround_days)
    with transaction.atomic():
        transition(sr, to=S.ACCEPTED, actor=actor, reason=reason.strip(), due_on=due.on,
                   due_on_provisional=due.provisional)  # fmt: skip
        notify_firm(sr, event="accepted", reason=reason)
    return sr


def service_request_reject(*, actor, sr: ServiceRequest, reason: str) -> ServiceRequest:
    """submitted|accepted → rejected, with a reason the firm sees."""
    _require_provider(actor, sr)
    reason = _require_reason(reason)
    with transaction.atomic():
        transition(sr, to=S.REJECTED, actor=actor, reason=reason)
        notify_firm(sr, event="rejected", reason=reason)
    return sr


def service_request_receive_samples(
    *, actor, sr: ServiceRequest, condition: str = ""
) -> ServiceRequest:
    """accepted → samples_received, noting the samples' condition; the due date now runs
    from today."""
    _require_provider(actor, sr)
    now = timezone.now()
    due = working_days_due(timezone.localdate(now), sr.service.turnaround_days)
    with transaction.atomic():
        transition(
            sr,
            to=S.SAMPLES_RECEIVED,
            actor=actor,
            reason=condition.strip(),
            sample_condition=condition.strip(),
            samples_received_at=now,
            due_on=due.on,
            due_on_provisional=due.provisional,
        )
        notify_firm(sr, event="samples_received", reason=condition)
    return sr


def service_request_refuse_samples(*, actor, sr: ServiceRequest, reason: str) -> ServiceRequest:
    """accepted → rejected because the samples arrived unfit for testing."""
    _require_provider(actor, sr)
    reason = _require_reason(reason)
    if sr.status != S.ACCEPTED:
        raise InvalidTransition(
            _("Samples can be refused only while the lab awaits them."), data={"status": sr.status}
        )
    with transaction.atomic():
        transition(sr, to=S.REJECTED, actor=actor, reason=reason, sample_condition=reason)
        notify_firm(sr, event="rejected", reason=reason)
    return sr


def service_request_start_testing(*, actor, sr: ServiceRequest, reason: str = "") -> ServiceRequest:
    _require_provider(actor, sr)
    transition(sr, to=S.TESTING, actor=actor, reason=reason.strip())
    return sr


def accreditation_mark(service: TestingService, on: dt.date) -> str:
    """ "CMA" / "CNAS" / "CMA, CNAS": the marks of the provider's certificates valid on
    ``on`` whose scope covers ``service`` (``facilities.accreditation_scope``); "" if none."""
    return mark_label(marks_allowed(service, on))


def _report_marks(service: TestingService, marks: list[str] | None) -> str:
    """The marks the lab picked for this report (None: every mark allowed), each checked
    against the certificates covering the service today. Invalid ``mark_not_in_scope``."""
    allowed = marks_allowed(service, timezone.localdate())
    if marks is None:
        return mark_label(allowed)
    wanted = sorted({m.strip().lower() for m in marks if m and m.strip()})
    refused = [m for m in wanted if m not in allowed]
    if refused:
        message = _(
            "This report cannot carry %(marks)s: no valid certificate of yours covers this "
            "service in its scope."
        ) % {"marks": ", ".join(m.upper() for m in refused)}
        raise Invalid(message, code="mark_not_in_scope", fields={"marks": [str(message)]})
    return mark_label(wanted)


def service_request_report(
    *, actor, sr: ServiceRequest, report_number: str, report_file, marks: list[str] | None = None
) -> ServiceRequest:
    """testing → reported with the signed PDF and its number, carrying the accreditation
    ``marks`` the lab picked ("cma", "cnas"; None: all the service's certificates allow).
    Raises Invalid (bad file or number, ``mark_not_in_scope``), InvalidTransition. On any
    failure nothing changes and no file is left."""
    _require_provider(actor, sr)
    mark = _report_marks(sr.service, marks)
    report_number = report_number.strip()
    if not report_number:
        raise Invalid(
            _("Give the report number."),
            code="report_number_required",
            fields={"report_number": [str(_("Required."))]},
        )
    reports.validate_report_pdf(report_file)
    _require_legal(sr, S.REPORTED)
    duplicate = ServiceRequest.objects.filter(
        service__provider_id=sr.service.provider_id, report_number=report_number
    ).exclude(pk=sr.pk)
    if duplicate.exists():
        raise Invalid(
            _("Report number %(no)s is already used.") % {"no": report_number},
            code="report_number_taken",
            fields={"report_number": [str(_("Already used."))]},
        )
    name = reports.store(report_file, folder="reports")
    try:
        with transaction.atomic():
            transition(
                sr,
                to=S.REPORTED,
                actor=actor,
                reason=report_number,
                report_file=name,
                report_number=report_number,
                report_accreditation=mark,
                reported_at=timezone.now(),
                fee_fen=sr.quote_fen,
            )
            notify_firm(sr, event="reported")
    except BaseException:
        reports.discard([name])
        raise
    return sr


def service_request_confirm(*, actor, sr: ServiceRequest, reason: str = "") -> ServiceRequest:
    """reported → completed: the firm confirms it received the report."""
    _require_firm(actor, sr)
    with transaction.atomic():
        transition(sr, to=S.COMPLETED, actor=actor, reason=reason.strip())
        notify_firm(sr, event="completed")
    return sr


def service_request_cancel(*, actor, sr: ServiceRequest, reason: str = "") -> ServiceRequest:
    """submitted|accepted → cancelled by the firm, before the samples arrive."""
    _require_firm(actor, sr)
    with transaction.atomic():
        transition(sr, to=S.CANCELLED, actor=actor, reason=reason.strip())
        notify_managers(sr, event="cancelled")
    return sr


def service_request_auto_complete(*, request_id: int) -> bool:
    """The system completes a report the firm has not confirmed within
    SERVICE_REQUEST_AUTO_COMPLETE_DAYS. Idempotent: False when already moved or not due."""
    days = settings.SERVICE_REQUEST_AUTO_COMPLETE_DAYS
    cutoff = timezone.now() - dt.timedelta(days=days)
    sr = (
        ServiceRequest.objects.select_related("service", "requested_by")
        .filter(pk=request_id, status=S.REPORTED, reported_at__lte=cutoff)
        .first()
    )
    if sr is None:
        return False
    reason = _("Completed automatically: the firm did not confirm within %(days)d days.") % {
        "days": days
    }
    try:
        with transaction.atomic():
            transition(sr, to=S.COMPLETED, actor=None, reason=str(reason))
            notify_firm(sr, event="completed")
    except InvalidTransition:
        return False
    return True
