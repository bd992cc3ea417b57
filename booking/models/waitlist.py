"""The waitlist: firms waiting for a taken range of an instrument's time."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from facilities.models import Instrument


class WaitlistEntry(models.Model):
    """One firm waiting for ``[start_at, end_at)`` of one instrument.

    ``waiting → offered`` when the range frees (``booking.services.waitlist``);
    ``offered → claimed`` (a booking made through ``booking_create``), ``→ waiting`` when
    another firm claimed first (it keeps its place), ``→ expired`` when the claim window
    passes; ``waiting/offered → left`` when the firm leaves. Moves are compare-and-set
    updates on the old status, like the orders' (``booking.transitions``).
    """

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        OFFERED = "offered", _("Offered")
        CLAIMED = "claimed", _("Claimed")
        EXPIRED = "expired", _("Offer expired")
        LEFT = "left", _("Left the waitlist")

    OPEN = (Status.WAITING, Status.OFFERED)

    instrument = models.ForeignKey(
        Instrument, on_delete=models.CASCADE, related_name="+", verbose_name=_("instrument")
    )
    firm = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", verbose_name=_("firm")
    )
    joined_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("joined by"),
    )  # fmt: skip
    start_at = models.DateTimeField(_("start"))
    end_at = models.DateTimeField(_("end"))
    purpose = models.TextField(_("purpose"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.WAITING
    )
    offered_at = models.DateTimeField(_("offered at"), null=True, blank=True)
    offer_expires_at = models.DateTimeField(_("offer expires at"), null=True, blank=True)
    booking = models.OneToOneField(
        "booking.Booking", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("booking"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("joined at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        ordering = ["pk"]  # the queue's order: who joined first
        verbose_name = _("waitlist entry")
        verbose_name_plural = _("waitlist entries")
        indexes = [
            models.Index(fields=["instrument", "status", "start_at"]),
            models.Index(fields=["firm", "-created_at"]),
            models.Index(
                fields=["offer_expires_at"],
                name="waitlist_offer_expiry",
                condition=Q(status="offered"),
            ),  # fmt: skip
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_at__gt=models.F("start_at")), name="waitlist_end_after_start"
            ),
            # A firm waits once for one range: joining twice (a double click) is refused.
            models.UniqueConstraint(
                fields=["instrument", "firm", "start_at", "end_at"],
                condition=Q(status__in=["waiting", "offered"]),
                name="waitlist_open_once",
            ),
            models.CheckConstraint(
                condition=~Q(status="offered") | Q(offer_expires_at__isnull=False),
                name="waitlist_offer_has_window",
            ),
            models.CheckConstraint(
                condition=~Q(status="claimed") | Q(booking__isnull=False),
                name="waitlist_claim_has_booking",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.firm_id} {self.start_at:%Y-%m-%d %H:%M}"
