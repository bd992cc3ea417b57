"""Public notices (公示) of a programme's voucher uses for a period: frozen when published;
a later correction is a new row beside it, never an edit."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Frozen(models.Model):
    """Rows inserted once: saving an existing row refuses (the service never does)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("A published notice or correction is never edited.")
        super().save(*args, **kwargs)


class PublicNotice(Frozen):
    programme = models.ForeignKey(
        "vouchers.Programme", on_delete=models.PROTECT, related_name="notices"
    )
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    notice_until = models.DateField(_("notice period ends"))
    # [{"firm", "firm_id" (for the firm's own page, never shown), "provider", "service", "order", "completed_on", "fee_fen", "voucher_fen"}]
    rows = models.JSONField(_("published uses"))
    total_fen = models.BigIntegerField(_("total (fen)"))
    audit_seed = models.BigIntegerField(_("audit sample seed"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(_("published at"), default=timezone.now)

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("public notice")
        verbose_name_plural = _("public notices")


class NoticeCorrection(Frozen):
    notice = models.ForeignKey(PublicNotice, on_delete=models.PROTECT, related_name="corrections")
    text = models.TextField(_("correction"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(_("published at"), default=timezone.now)

    class Meta:
        ordering = ["published_at", "pk"]
        verbose_name = _("notice correction")
        verbose_name_plural = _("notice corrections")
