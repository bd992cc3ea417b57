"""Reimbursement claims (兑付): a provider asks the issuing department for the voucher parts
of its completed orders, one line per captured ledger entry, and gets paid what is approved."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Claim(models.Model):
    """One provider's claim on one issuing department for one period.

    The money fields are kept in step with the lines in the transaction that changes them
    (``claimed_fen`` = sum of all lines, ``approved_fen`` = sum of approved lines); the
    provider is paid ``approved_fen − deduction_fen`` (reversals it owes back)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        UNDER_REVIEW = "under_review", _("Under review")
        APPROVED = "approved", _("Approved")
        PARTLY_APPROVED = "partly_approved", _("Partly approved")
        REJECTED = "rejected", _("Rejected")
        PAID = "paid", _("Paid")

    class InvoiceType(models.TextChoices):
        SPECIAL = "special", _("Special VAT invoice")
        GENERAL = "general", _("General VAT invoice")

    provider = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="claims_made",
        verbose_name=_("provider"),
    )  # fmt: skip
    issuer = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="claims_received",
        verbose_name=_("issuing department"),
    )  # fmt: skip
    number = models.CharField(_("claim number"), max_length=30, unique=True)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    claimed_fen = models.BigIntegerField(_("claimed (fen)"), default=0)
    approved_fen = models.BigIntegerField(_("approved (fen)"), default=0)
    deduction_fen = models.BigIntegerField(_("deductions (fen)"), default=0)
    line_count = models.PositiveIntegerField(_("lines"), default=0)
    # Lines with at least one red flag (vouchers/flags.py), for the queue.
    flagged_count = models.PositiveIntegerField(_("flagged lines"), default=0)
    # When the lines' flags were last computed from the facts (build, submit, review):
    # a related party declared after this instant makes them stale.
    flags_checked_at = models.DateTimeField(_("flags checked at"), null=True, blank=True)
    invoice_number = models.CharField(_("invoice number"), max_length=40, blank=True)
    invoice_date = models.DateField(_("invoice date"), null=True, blank=True)
    invoice_amount_fen = models.BigIntegerField(_("invoice amount (fen)"), null=True, blank=True)
    invoice_type = models.CharField(
        _("invoice type"), max_length=10, choices=InvoiceType.choices, blank=True
    )
    invoice_file = models.CharField(_("invoice file"), max_length=200, blank=True)
    invoice_file_name = models.CharField(_("invoice file name"), max_length=200, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=60, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("reimbursement claim")
        verbose_name_plural = _("reimbursement claims")
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="claim_period_order"
            ),
            models.CheckConstraint(
                condition=Q(claimed_fen__gte=0)
                & Q(approved_fen__gte=0)
                & Q(approved_fen__lte=F("claimed_fen"))
                & Q(deduction_fen__gte=0),
                name="claim_money_consistent",
            ),
            models.CheckConstraint(
                condition=Q(invoice_amount_fen__isnull=True) | Q(invoice_amount_fen__gt=0),
                name="claim_invoice_amount_pos",
            ),
        ]
        indexes = [
            models.Index(fields=["provider", "-created_at"]),
            models.Index(fields=["issuer", "status", "-created_at"]),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def payable_fen(self) -> int:
        return max(self.approved_fen - self.deduction_fen, 0)


class ClaimLine(models.Model):
    """One completed order's captured voucher part, claimed once: ``claim_line_once`` lets a
    capture entry sit in at most one line that is not rejected, whatever the concurrency; a
    rejected line stays as history and the entry can be claimed again."""

    class State(models.TextChoices):
        CLAIMED = "claimed", _("Awaiting review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="lines")
    # The claim's issuer, copied onto the line so a department's red-flag list is one read
    # of the partial index ``claim_line_issuer_flagged``, not a filter over its claims.
    issuer = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+",
        verbose_name=_("issuing department"),
    )  # fmt: skip
    capture_entry = models.ForeignKey(
        "vouchers.LedgerEntry", on_delete=models.PROTECT, related_name="claim_lines"
    )
    hold = models.ForeignKey(
        "vouchers.OrderVoucherHold", on_delete=models.PROTECT, related_name="claim_lines"
    )
    firm = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+",
        verbose_name=_("firm"),
    )  # fmt: skip
    order_kind = models.CharField(_("order kind"), max_length=20)
    order_id = models.BigIntegerField(_("order"))
    completed_at = models.DateTimeField(_("completed at"))
    fee_fen = models.BigIntegerField(_("fee (fen)"))
    voucher_fen = models.BigIntegerField(_("voucher part (fen)"))
    firm_fen = models.BigIntegerField(_("firm's part (fen)"))
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.CLAIMED
    )
    reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    # Red flags found when the claim was built: [{"code", ...the numbers behind it}].
    flags = models.JSONField(_("red flags"), default=list, blank=True)
    flagged = models.BooleanField(_("flagged"), default=False)

    class Meta:
        ordering = ["completed_at", "pk"]
        verbose_name = _("claim line")
        verbose_name_plural = _("claim lines")
        constraints = [
            models.UniqueConstraint(
                fields=["capture_entry"], condition=~Q(state="rejected"), name="claim_line_once"
            ),
            models.CheckConstraint(
                condition=Q(voucher_fen__gt=0) & Q(firm_fen__gte=0) & Q(fee_fen__gte=0),
                name="claim_line_money",
            ),
        ]
        indexes = [
            models.Index(fields=["claim", "completed_at"]),
            models.Index(fields=["claim", "state"]),
            models.Index(
                fields=["claim", "completed_at"],
                condition=Q(flagged=True),
                name="claim_line_flagged",
            ),
            models.Index(fields=["order_kind", "order_id"]),
            models.Index(
                fields=["issuer", "-claim", "completed_at", "id"],
                condition=Q(flagged=True),
                name="claim_line_issuer_flagged",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.claim_id} · {self.order_kind} {self.order_id}"


class ClaimProof(models.Model):
    """Proof that the firm paid its own part: for one line, or for the whole claim."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="proofs")
    line = models.ForeignKey(
        ClaimLine, null=True, blank=True, on_delete=models.PROTECT, related_name="proofs"
    )
    file = models.CharField(_("file"), max_length=200)
    file_name = models.CharField(_("file name"), max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("payment proof")
        verbose_name_plural = _("payment proofs")


class ClaimChange(models.Model):
    """Who moved a claim, when and why. Append-only."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="history")
    from_status = models.CharField(_("from"), max_length=16, blank=True)
    to_status = models.CharField(_("to"), max_length=16)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"), blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("claim status change")
        verbose_name_plural = _("claim status changes")


class ClaimDeduction(models.Model):
    """A reversal of voucher money the provider had already claimed: owed back, deducted
    from its next claim to the same issuer (``claim`` set when a claim takes it)."""

    provider = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    issuer = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    reverse_entry = models.OneToOneField(
        "vouchers.LedgerEntry", on_delete=models.PROTECT, related_name="claim_deduction"
    )
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    reason = models.TextField(_("reason"), blank=True)
    claim = models.ForeignKey(
        Claim, null=True, blank=True, on_delete=models.PROTECT, related_name="deductions"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("claim deduction")
        verbose_name_plural = _("claim deductions")
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="deduction_amount_pos")
        ]
        indexes = [models.Index(fields=["provider", "issuer", "claim"])]
