"""What a kiosk or interlock box at an instrument signs in with, and the one-time codes
a firm shows there."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from facilities.models import Instrument


class InstrumentToken(models.Model):
    """A revocable credential of one instrument's PC, tablet or interlock box.

    Only the SHA-256 digest is stored; the key is shown once, when it is made. It
    authenticates ``/api/v1/kiosk/…`` (``Authorization: Instrument <key>``) and the kiosk
    page, and grants nothing else: the kiosk checks sessions of its own instrument only.
    """

    instrument = models.ForeignKey(
        Instrument, on_delete=models.CASCADE, related_name="+", verbose_name=_("instrument")
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=8)
    digest = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("created by"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("revoked by"),
    )  # fmt: skip

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("instrument token")
        verbose_name_plural = _("instrument tokens")
        indexes = [models.Index(fields=["instrument", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class KioskCode(models.Model):
    """The one-time code a firm shows at the kiosk for one booking; used once, at check-in
    or check-out, then spent (``used_at``). A new code replaces the old one."""

    booking = models.OneToOneField(
        "booking.Booking", on_delete=models.CASCADE, related_name="kiosk_code"
    )
    code = models.CharField(_("code"), max_length=12)
    # Who asked for the code: the person the kiosk records when the code is shown there.
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("kiosk code")
        verbose_name_plural = _("kiosk codes")
        constraints = [
            # Codes are looked up by value: an unspent one is unique platform-wide.
            models.UniqueConstraint(
                fields=["code"], condition=Q(used_at__isnull=True), name="kiosk_code_unspent_once"
            )
        ]
