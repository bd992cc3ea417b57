"""A provider's monthly statement to one firm, its frozen lines, and invoice requests."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation


class Statement(models.Model):
    """What one firm owes one provider for one month's completed orders, as issued.

    Its lines are frozen when it is issued: a later change of an order's money (a voucher
    capture reversed, say) never edits them; the next statement carries a correction line.
    The totals are the sums of the lines, written in the same transaction."""

    number = models.CharField(_("number"), max_length=40, unique=True)
    provider = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("provider")
    )
    firm = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("firm")
    )
    month = models.DateField(_("month"))  # its first day
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    # None: issued by the month-end task.
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name=_("issued by"),
    )  # fmt: skip
    line_count = models.PositiveIntegerField(_("lines"), default=0)
    fee_fen = models.BigIntegerField(_("fees (fen)"), default=0)
    voucher_fen = models.BigIntegerField(_("voucher part (fen)"), default=0)
    firm_fen = models.BigIntegerField(_("firm's part (fen)"), default=0)

    class Meta:
        ordering = ["-month", "-issued_at", "-pk"]
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        constraints = [
            models.CheckConstraint(
                condition=Q(firm_fen=F("fee_fen") - F("voucher_fen")), name="statement_parts_add_up"
            ),
        ]
        indexes = [
            models.Index(fields=["firm", "-month"], name="statement_by_firm"),
            models.Index(fields=["provider", "-month"], name="statement_by_provider"),
        ]

    def __str__(self) -> str:
        return self.number


class StatementLine(models.Model):
    """One completed order on a statement, or a correction of one stated before."""

    class Kind(models.TextChoices):
        ORDER = "order", _("Order")
        CORRECTION = "correction", _("Correction")

    class OrderKind(models.TextChoices):
        BOOKING = "booking", _("Instrument booking")
        SERVICE_REQUEST = "service_request", _("Testing request")

    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="lines")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.ORDER)
    order_kind = models.CharField(_("order kind"), max_length=20, choices=OrderKind.choices)
    order_id = models.BigIntegerField(_("order"))
    completed_at = models.DateTimeField(_("completed at"))
    item_name = models.CharField(_("instrument or service"), max_length=200)
    minutes = models.PositiveIntegerField(_("minutes of actual use"), default=0)
    samples = models.PositiveIntegerField(_("samples"), default=0)
    fee_fen = models.BigIntegerField(_("fee (fen)"))
    voucher_fen = models.BigIntegerField(_("voucher part (fen)"))
    firm_fen = models.BigIntegerField(_("firm's part (fen)"))

    class Meta:
        ordering = ["completed_at", "pk"]
        verbose_name = _("statement line")
        verbose_name_plural = _("statement lines")
        constraints = [
            models.CheckConstraint(
                condition=Q(firm_fen=F("fee_fen") - F("voucher_fen")), name="line_parts_add_up"
            ),
            # An order line is what was charged; only a correction may take money back.
            models.CheckConstraint(
                condition=Q(kind="correction")
                | (Q(fee_fen__gte=0) & Q(voucher_fen__gte=0) & Q(voucher_fen__lte=F("fee_fen"))),
                name="line_order_money_sane",
            ),
            # Month-end task and a manager's "issue now" at once: an order is stated once.
            models.UniqueConstraint(
                fields=["order_kind", "order_id"],
                condition=Q(kind="order"),
                name="line_order_once",
            ),  # fmt: skip
        ]
        indexes = [models.Index(fields=["order_kind", "order_id"], name="line_by_order")]

    def __str__(self) -> str:
        return f"{self.statement_id} · {self.order_kind} #{self.order_id}"


class InvoiceRequest(models.Model):
    """A firm asks the provider for an invoice (发票) of its own part of a statement."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Invoice requested")
        ISSUED = "issued", _("Invoice issued")
        REJECTED = "rejected", _("Invoice request refused")
        WITHDRAWN = "withdrawn", _("Invoice request withdrawn")

    LIVE = (Status.REQUESTED, Status.ISSUED)

    statement = models.ForeignKey(
        Statement, on_delete=models.PROTECT, related_name="invoice_requests"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.REQUESTED
    )
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    title = models.CharField(_("invoice title"), max_length=200)
    tax_number = models.CharField(_("taxpayer number"), max_length=20)
    address = models.CharField(_("address and phone"), max_length=300)
    bank = models.CharField(_("bank and account"), max_length=300)
    invoice_number = models.CharField(_("invoice number"), max_length=40, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("invoice request")
        verbose_name_plural = _("invoice requests")
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="invoice_amount_pos"),
            # One invoice per statement: a second request waits until the first is refused
            # or withdrawn.
            models.UniqueConstraint(
                fields=["statement"],
                condition=Q(status__in=["requested", "issued"]),
                name="invoice_once_per_statement",
            ),  # fmt: skip
            models.CheckConstraint(
                condition=~Q(status="issued") | ~Q(invoice_number=""),
                name="invoice_issued_has_number",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.statement.number} · {self.get_status_display()}"


class InvoiceChange(models.Model):
    """Who moved an invoice request, when and why."""

    request = models.ForeignKey(InvoiceRequest, on_delete=models.CASCADE, related_name="changes")
    from_status = models.CharField(_("from"), max_length=12, blank=True)
    to_status = models.CharField(_("to"), max_length=12)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason"), blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("invoice request change")
        verbose_name_plural = _("invoice request changes")
