"""Quota applications (申领额度): a firm applies, the issuer's reviewer approves (perhaps a
smaller amount, which issues the voucher) or rejects with a reason."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import FirmProfile, Organisation, User
from accounts.scoping import Scope
from config.errors import Conflict, Invalid, InvalidTransition, NotFound
from vouchers.models import Programme, VoucherApplication
from vouchers.rules import rules_parse
from vouchers.services.access import programme_for_review
from vouchers.services.issuing import firm_problem, issue_locked, lock_programme, require_open

A = VoucherApplication.Status


def _field_error(code: str, field: str, message) -> Invalid:
    return Invalid(message, code=code, fields={field: [str(message)]})


def application_submit(
    *, actor: User, programme_id: int, firm_id: int, amount_fen: int, purpose: str
) -> VoucherApplication:
    """File ``firm_id``'s application under an open programme.

    Errors: NotFound (firm not the actor's; programme not published), Conflict
    ``programme_not_open`` / ``applications_closed`` / ``application_already_open``,
    Invalid ``bad_amount`` / ``purpose_required`` / ``firm_*`` (not eligible)."""
    if not Scope.for_user(actor).can_act_for_firm(firm_id):
        raise NotFound(_("Firm not found."), code="firm_not_found")
    programme = (
        Programme.objects.filter(pk=programme_id).exclude(status=Programme.Status.DRAFT).first()
    )
    if programme is None:
        raise NotFound(_("Programme not found."), code="programme_not_found")
    require_open(programme)
    today = timezone.localdate()
    if (programme.applications_open_on and today < programme.applications_open_on) or (
        programme.applications_close_on and today > programme.applications_close_on
    ):
        raise Conflict(
            _("The programme does not take applications today."), code="applications_closed"
        )
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int) or amount_fen <= 0:
        raise _field_error("bad_amount", "amount_fen", _("The amount must be positive."))
    purpose = (purpose or "").strip()
    if not purpose:
        raise _field_error("purpose_required", "purpose", _("Say what the vouchers are for."))
    profile = (
        FirmProfile.objects.select_related("organisation").filter(organisation_id=firm_id).first()
    )
    problem = firm_problem(rules_parse(programme.rules), programme, profile)
    if problem:
        raise _field_error(problem.code, "firm", problem.message)
    try:
        with transaction.atomic():
            return VoucherApplication.objects.create(
                programme=programme, firm_id=firm_id, amount_fen=amount_fen, purpose=purpose,
                applied_by=actor,
            )  # fmt: skip
    except IntegrityError as exc:
        # Which constraint failed, asked of the rows: SQLite names the columns in its
        # message, not the constraint, and the embedded default must answer 409 too.
        waiting = VoucherApplication.objects.filter(
            programme=programme, firm_id=firm_id, status=VoucherApplication.Status.SUBMITTED
        )
        if not waiting.exists():
            raise
        raise Conflict(
            _("This firm already has an application waiting under this programme."),
            code="application_already_open",
        ) from exc


def _decide(application: VoucherApplication, *, actor: User, to: str, **changes) -> None:
    """Compare-and-set from submitted: two reviewers deciding at once cannot both win."""
    now = timezone.now()
    updated = VoucherApplication.objects.filter(pk=application.pk, status=A.SUBMITTED).update(
        status=to, decided_by=actor, decided_at=now, **changes
    )
    if updated != 1:
        raise InvalidTransition(
            _("This application was already decided."), code="application_decided"
        )
    application.status, application.decided_by, application.decided_at = to, actor, now
    for name, value in changes.items():
        setattr(application, name, value)


def _application_for_review(actor: User, application_id: int) -> VoucherApplication:
    application = VoucherApplication.objects.filter(pk=application_id).first()
    if application is None:
        raise NotFound(_("Application not found."), code="application_not_found")
    programme_for_review(actor, application.programme_id)  # NotFound if not the issuer's
    return application


def application_approve(
    *, actor: User, application_id: int, amount_fen: int | None = None, reason: str = ""
) -> VoucherApplication:
    """Approve (``amount_fen`` ≤ the amount asked; default all of it) and issue the voucher,
    under the programme's lock. Errors: NotFound, InvalidTransition ``application_decided``,
    Invalid ``bad_amount``, and the issue's errors (Conflict ``over_budget``, ``over_cap_*``)."""
    application = _application_for_review(actor, application_id)
    amount = application.amount_fen if amount_fen is None else amount_fen
    if (
        isinstance(amount, bool)
        or not isinstance(amount, int)
        or not 0 < amount <= application.amount_fen
    ):
        raise _field_error("bad_amount", "amount_fen",
                           _("Approve a positive amount, at most the amount asked."))  # fmt: skip
    with transaction.atomic():
        programme = lock_programme(application.programme_id)
        require_open(programme)
        _decide(application, actor=actor, to=A.APPROVED, approved_fen=amount,
                decision_reason=(reason or "").strip())  # fmt: skip
        firm = Organisation.objects.get(pk=application.firm_id)
        issue_locked(programme, firm=firm, amount_fen=amount, actor=actor, application=application,
                     note=str(_("Application approved")))  # fmt: skip
    return application


def application_reject(*, actor: User, application_id: int, reason: str) -> VoucherApplication:
    """Reject with a reason (required). Errors: NotFound, Invalid ``reason_required``,
    InvalidTransition ``application_decided``."""
    application = _application_for_review(actor, application_id)
    reason = (reason or "").strip()
    if not reason:
        raise _field_error("reason_required", "reason", _("Please give a reason."))
    with transaction.atomic():
        _decide(application, actor=actor, to=A.REJECTED, decision_reason=reason)
    return application
