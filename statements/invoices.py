"""Invoice requests (发票): the firm asks for an invoice of its own part of a statement,
the provider issues it with its number or refuses it with a reason, the firm may withdraw
a request not yet issued.

    requested → issued | rejected | withdrawn

One helper moves the state (the shape of booking/transitions.py): a compare-and-set on the
old status and an InvoiceChange row in the same transaction. Nothing else assigns
``InvoiceRequest.status``.
"""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.scoping import Scope
from accounts.uscc import check_character
from config.errors import Conflict, Forbidden, Invalid, InvalidTransition, NotFound
from config.text import SHORT_TEXT, check_text
from statements.models import InvoiceChange, InvoiceRequest, Statement
from statements.notices import notify_invoice
from statements.selectors import statement_get

S = InvoiceRequest.Status
MOVES: dict[str, frozenset[str]] = {S.REQUESTED: frozenset({S.ISSUED, S.REJECTED, S.WITHDRAWN})}
# 纳税人识别号: the 18-character credit code, or an older 15-, 17- or 20-character number.
TAX_NUMBER = re.compile(r"^[0-9A-Z]{15}$|^[0-9A-Z]{17,18}$|^[0-9A-Z]{20}$")


def invoice_can_move(request: InvoiceRequest, to: str) -> bool:
    return to in MOVES.get(request.status, frozenset())


def invoice_transition(
    request: InvoiceRequest, *, to: str, actor: User, reason: str = "", **changes
) -> InvoiceChange:
    """Move ``request`` to ``to`` (saving ``changes`` too) and record who, when and why.
    InvalidTransition ``invalid_transition`` for an illegal move, ``state_changed`` when
    someone moved it first."""
    check_text(reason=(reason, SHORT_TEXT))
    from_status = request.status
    if not invoice_can_move(request, to):
        raise InvalidTransition(
            _("Cannot change from “%(from)s” to “%(to)s”.")
            % {"from": S(from_status).label, "to": S(to).label},
            data={"status": from_status},
        )
    now = timezone.now()
    with transaction.atomic():
        updated = InvoiceRequest.objects.filter(pk=request.pk, status=from_status).update(
            status=to, updated_at=now, **changes
        )
        if updated != 1:
            raise InvalidTransition(
                _("This invoice request was changed by someone else; reload and try again."),
                code="state_changed",
            )
        for name, value in {"status": to, "updated_at": now, **changes}.items():
            setattr(request, name, value)
        change = InvoiceChange.objects.create(request=request, from_status=from_status,
                                              to_status=to, actor=actor, reason=reason, at=now)  # fmt: skip
        notify_invoice(request, event=to)
        return change


def _required(**values: str) -> None:
    missing = {name: [str(_("This field is required."))] for name, v in values.items() if not v}
    if missing:
        raise Invalid(_("Please fill in the invoice details."), code="invoice_details_missing",
                      fields=missing)  # fmt: skip


def clean_tax_number(value: str) -> str:
    """Upper-cased, spaces dropped; an 18-character number must pass the credit code's check."""
    value = re.sub(r"\s+", "", value or "").upper()
    ok = bool(TAX_NUMBER.match(value))
    if ok and len(value) == 18:
        try:
            ok = check_character(value[:17]) == value[17]
        except (KeyError, ValueError):
            ok = False
    if not ok:
        message = _(
            "Not a valid taxpayer number (the 18-character credit code, or 15, 17 or 20 characters)."
        )
        raise Invalid(message, code="tax_number_invalid", fields={"tax_number": [str(message)]})
    return value


def invoice_request_create(
    *, actor: User, statement_id: int, title: str, tax_number: str, address: str, bank: str
) -> InvoiceRequest:
    """A member of the statement's firm asks for an invoice of the firm's part.

    Errors: NotFound (not the firm's), Forbidden (the provider's side), Invalid
    ``invoice_details_missing``, ``tax_number_invalid``, ``text_too_long``,
    ``nothing_to_invoice`` (the firm's part is nil); Conflict ``invoice_already_requested``.
    Side effect: the provider's managers are notified."""
    statement = statement_get(actor=actor, statement_id=statement_id)
    if not Scope.for_user(actor).can_act_for_firm(statement.firm_id):
        raise Forbidden(_("Only the firm's members may ask for its invoice."))
    title, address, bank = (title or "").strip(), (address or "").strip(), (bank or "").strip()
    _required(title=title, tax_number=(tax_number or "").strip(), address=address, bank=bank)
    check_text(title=(title, 200), address=(address, 300), bank=(bank, 300))
    tax_number = clean_tax_number(tax_number)
    if statement.firm_fen <= 0:
        raise Invalid(_("Your part of this statement is nil: there is nothing to invoice."),
                      code="nothing_to_invoice")  # fmt: skip
    with transaction.atomic():
        Statement.objects.select_for_update().filter(pk=statement.pk).first()
        if statement.invoice_requests.filter(status__in=InvoiceRequest.LIVE).exists():
            raise _already()
        try:
            with transaction.atomic():
                request = InvoiceRequest.objects.create(
                    statement=statement, amount_fen=statement.firm_fen, title=title,
                    tax_number=tax_number, address=address, bank=bank, requested_by=actor,
                )  # fmt: skip
        except IntegrityError as exc:
            raise _already() from exc
        InvoiceChange.objects.create(request=request, from_status="", to_status=S.REQUESTED,
                                     actor=actor, at=request.created_at)  # fmt: skip
        notify_invoice(request, event="requested")
    return request


def _already() -> Conflict:
    return Conflict(_("An invoice for this statement is already requested or issued."),
                    code="invoice_already_requested")  # fmt: skip


def invoice_request_get(*, actor: User, request_id) -> InvoiceRequest:
    """The request, if its statement is visible to ``actor`` (else NotFound)."""
    request = InvoiceRequest.objects.select_related("statement__provider", "statement__firm").filter(
        pk=request_id
    ).first()  # fmt: skip
    if request is None:
        raise NotFound(_("No such invoice request."))
    statement_get(actor=actor, statement_id=request.statement_id)
    return request


def _provider_side(actor: User, request: InvoiceRequest) -> None:
    if not Scope.for_user(actor).can_manage_provider(request.statement.provider_id):
        raise Forbidden(_("Only the provider's lab managers may do this."))


def invoice_issue(
    *, actor: User, request_id: int, invoice_number: str, reason: str = ""
) -> InvoiceRequest:
    """The provider marks the invoice issued, with its number. Errors: NotFound, Forbidden,
    Invalid ``invoice_number_required``, InvalidTransition."""
    request = invoice_request_get(actor=actor, request_id=request_id)
    _provider_side(actor, request)
    number = (invoice_number or "").strip()
    if not number or len(number) > 40:
        message = _("Enter the invoice number (at most 40 characters).")
        raise Invalid(
            message, code="invoice_number_required", fields={"invoice_number": [str(message)]}
        )
    invoice_transition(request, to=S.ISSUED, actor=actor, reason=reason, invoice_number=number)
    return request


def invoice_reject(*, actor: User, request_id: int, reason: str) -> InvoiceRequest:
    """The provider refuses the request; the firm reads the reason and may ask again."""
    request = invoice_request_get(actor=actor, request_id=request_id)
    _provider_side(actor, request)
    if not (reason or "").strip():
        message = _("Say why, so the firm can correct its request.")
        raise Invalid(message, code="reason_required", fields={"reason": [str(message)]})
    invoice_transition(request, to=S.REJECTED, actor=actor, reason=reason.strip())
    return request


def invoice_withdraw(*, actor: User, request_id: int, reason: str = "") -> InvoiceRequest:
    """The firm withdraws a request not yet issued (to correct its details, say)."""
    request = invoice_request_get(actor=actor, request_id=request_id)
    if not Scope.for_user(actor).can_act_for_firm(request.statement.firm_id):
        raise Forbidden(_("Only the firm's members may withdraw its request."))
    invoice_transition(request, to=S.WITHDRAWN, actor=actor, reason=(reason or "").strip())
    return request
