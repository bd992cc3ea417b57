"""Audit samples of voucher uses, their findings, and blocks from a programme."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditSample(models.Model):
    """A reproducible random draw of a period's voucher uses (capture entries of the
    issuer's programmes): ``random.Random(seed).sample`` over the uses sorted by id, so
    anyone with the seed and the published list can redraw the same sample."""

    issuer = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="audit_samples",
        verbose_name=_("issuing department"),
    )  # fmt: skip
    programme = models.ForeignKey(
        "vouchers.Programme", null=True, blank=True, on_delete=models.PROTECT,
        related_name="audit_samples", verbose_name=_("programme"),
    )  # fmt: skip
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    rate_bp = models.PositiveIntegerField(_("sample share (basis points)"))
    seed = models.BigIntegerField(_("seed"))
    population = models.PositiveIntegerField(_("uses in the period"))
    size = models.PositiveIntegerField(_("uses sampled"))
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    drawn_at = models.DateTimeField(_("drawn at"), default=timezone.now)

    class Meta:
        ordering = ["-drawn_at", "-pk"]
        verbose_name = _("audit sample")
        verbose_name_plural = _("audit samples")
        constraints = [
            models.CheckConstraint(
                condition=Q(rate_bp__gte=500) & Q(rate_bp__lte=10_000),
                name="audit_rate_at_least_5pc",
            ),
            models.CheckConstraint(
                condition=Q(size__lte=models.F("population")), name="audit_size_within"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.issuer} {self.period_start}–{self.period_end} #{self.seed}"


class AuditRecord(models.Model):
    """One sampled use and what the check found."""

    class Result(models.TextChoices):
        PENDING = "pending", _("Not checked yet")
        FINE = "fine", _("Fine")
        PROBLEM = "problem", _("Problem")

    sample = models.ForeignKey(AuditSample, on_delete=models.PROTECT, related_name="records")
    capture_entry = models.ForeignKey(
        "vouchers.LedgerEntry", on_delete=models.PROTECT, related_name="audit_records"
    )
    hold = models.ForeignKey(
        "vouchers.OrderVoucherHold", on_delete=models.PROTECT, related_name="+"
    )
    firm = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    order_kind = models.CharField(_("order kind"), max_length=20)
    order_id = models.BigIntegerField(_("order"))
    voucher_fen = models.BigIntegerField(_("voucher part (fen)"))
    result = models.CharField(
        _("result"), max_length=10, choices=Result.choices, default=Result.PENDING
    )
    note = models.TextField(_("note"), blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    reverse_entry = models.ForeignKey(
        "vouchers.LedgerEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["sample", "pk"]
        verbose_name = _("audit record")
        verbose_name_plural = _("audit records")
        constraints = [
            models.UniqueConstraint(fields=["sample", "capture_entry"], name="audit_record_once"),
        ]


class ProgrammeBlock(models.Model):
    """A firm or provider barred from a programme's vouchers (after an audit finding)."""

    programme = models.ForeignKey(
        "vouchers.Programme", on_delete=models.PROTECT, related_name="blocks"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason"))
    audit_record = models.ForeignKey(
        AuditRecord, null=True, blank=True, on_delete=models.PROTECT, related_name="blocks"
    )
    blocked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    blocked_at = models.DateTimeField(_("blocked at"), default=timezone.now)

    class Meta:
        ordering = ["-blocked_at", "-pk"]
        verbose_name = _("programme block")
        verbose_name_plural = _("programme blocks")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "organisation"], name="programme_block_once"
            )
        ]
