"""Quota applications and the vouchers they (or a bulk issue) produce."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class VoucherApplication(models.Model):
    """A firm asks a programme for quota (申领额度); approval issues the voucher."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    programme = models.ForeignKey(
        "vouchers.Programme", on_delete=models.PROTECT, related_name="applications"
    )
    firm = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="voucher_applications"
    )
    amount_fen = models.BigIntegerField(_("amount asked (fen)"))
    purpose = models.TextField(_("purpose"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED
    )
    approved_fen = models.BigIntegerField(_("amount approved (fen)"), null=True, blank=True)
    decision_reason = models.TextField(_("reason"), blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    applied_at = models.DateTimeField(_("applied at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["-applied_at", "-pk"]
        verbose_name = _("voucher application")
        verbose_name_plural = _("voucher applications")
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="application_amount_pos"),
            models.CheckConstraint(
                condition=Q(approved_fen__isnull=True) | Q(approved_fen__gt=0),
                name="application_approved_pos",
            ),
            # One open application per firm and programme: a double click files one.
            models.UniqueConstraint(
                fields=["programme", "firm"],
                condition=Q(status="submitted"),
                name="application_one_open",
            ),
        ]
        indexes = [models.Index(fields=["programme", "status"])]

    def __str__(self) -> str:
        return f"{self.firm} · {self.programme}"


class Voucher(models.Model):
    """A firm's credit under a programme. The four balances always add up to the face value
    and each equals the ledger's sum of its kind (vouchers/ledger.py keeps them in step)."""

    firm = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="vouchers"
    )
    programme = models.ForeignKey(
        "vouchers.Programme", on_delete=models.PROTECT, related_name="vouchers"
    )
    application = models.OneToOneField(
        VoucherApplication,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="voucher",
    )
    code = models.CharField(_("voucher number"), max_length=30, unique=True)
    face_fen = models.BigIntegerField(_("face value (fen)"))
    available_fen = models.BigIntegerField(_("available (fen)"))
    held_fen = models.BigIntegerField(_("held (fen)"), default=0)
    captured_fen = models.BigIntegerField(_("captured (fen)"), default=0)
    expired_fen = models.BigIntegerField(_("expired (fen)"), default=0)
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"), db_index=True)

    class Meta:
        ordering = ["expires_at", "pk"]
        verbose_name = _("voucher")
        verbose_name_plural = _("vouchers")
        constraints = [
            models.CheckConstraint(condition=Q(face_fen__gt=0), name="voucher_face_pos"),
            models.CheckConstraint(
                condition=Q(available_fen__gte=0), name="voucher_available_nonneg"
            ),
            models.CheckConstraint(condition=Q(held_fen__gte=0), name="voucher_held_nonneg"),
            models.CheckConstraint(
                condition=Q(captured_fen__gte=0), name="voucher_captured_nonneg"
            ),
            models.CheckConstraint(condition=Q(expired_fen__gte=0), name="voucher_expired_nonneg"),
            models.CheckConstraint(
                condition=Q(
                    face_fen=F("available_fen")
                    + F("held_fen")
                    + F("captured_fen")
                    + F("expired_fen")
                ),
                name="voucher_balances_add_up",
            ),
        ]
        # On PostgreSQL the table keeps 15 % of each page free (fillfactor 85, migration
        # 0011; Django has no option for it): a movement updates only the balances, none of
        # them indexed, so with room on the row's page the UPDATE is HOT and writes none of
        # these indexes. Do not index a balance column: every hold would write that index.
        indexes = [
            models.Index(fields=["firm", "expires_at"]),
            models.Index(fields=["programme", "firm"]),
        ]

    def __str__(self) -> str:
        return self.code

    def is_expired(self, at=None) -> bool:
        return self.expires_at <= (at or timezone.now())
