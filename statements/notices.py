"""Who hears about statements and invoices: in-app notification plus e-mail (on commit),
through booking's ``notify``, written inside the change's own transaction."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import Membership
from booking.notifications import notify
from config.money import format_fen


def _members(organisation_id: int, role: str) -> list:
    rows = Membership.objects.filter(
        organisation_id=organisation_id, role=role, user__is_active=True
    ).select_related("user")
    return [m.user for m in rows]


def _url(statement) -> str:
    return reverse("frontend:statement-detail", args=[statement.pk])


def notify_statement_issued(statement) -> None:
    def render():
        title = _("Statement %(number)s from %(provider)s") % {
            "number": statement.number, "provider": statement.provider.name}  # fmt: skip
        body = _("%(month)s: %(n)s lines, fees %(fee)s, voucher part %(voucher)s, your part %(own)s.") % {
            "month": f"{statement.month:%Y-%m}", "n": statement.line_count,
            "fee": format_fen(statement.fee_fen), "voucher": format_fen(statement.voucher_fen),
            "own": format_fen(statement.firm_fen)}  # fmt: skip
        return title, body

    notify(_members(statement.firm_id, Membership.Role.FIRM_MEMBER), kind="statement.issued",
           render=render, url=_url(statement))  # fmt: skip


def notify_invoice(request, *, event: str) -> None:
    """``requested`` goes to the provider's managers; the rest to the firm's members."""
    statement = request.statement
    texts = {
        "requested": lambda: _("%(firm)s asks for an invoice for statement %(number)s"),
        "issued": lambda: _("Invoice %(invoice)s issued for statement %(number)s"),
        "rejected": lambda: _("Invoice request for statement %(number)s refused"),
        "withdrawn": lambda: _("Invoice request for statement %(number)s withdrawn"),
    }

    def render():
        title = texts[event]() % {"firm": statement.firm.name, "number": statement.number,
                                  "invoice": request.invoice_number}  # fmt: skip
        reason = request.changes.order_by("-at", "-pk").values_list("reason", flat=True).first()
        body = _("Amount %(amount)s.") % {"amount": format_fen(request.amount_fen)}
        return title, f"{body} {reason or ''}".strip()

    if event == "requested":
        users = _members(statement.provider_id, Membership.Role.LAB_MANAGER)
    else:
        users = _members(statement.firm_id, Membership.Role.FIRM_MEMBER)
    notify(users, kind=f"invoice.{event}", render=render, url=_url(statement))
