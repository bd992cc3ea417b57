from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from facilities.models import Instrument, Price


class Booking(models.Model):
    """Instrument time booked by a firm.

    PostgreSQL forbids two live bookings of one instrument from overlapping
    (exclusion constraint ``booking_no_overlap``, added in a migration since
    SQLite cannot express it).
    """

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")
        CHECKED_IN = "checked_in", _("Checked in")
        COMPLETED = "completed", _("Completed")
        NO_SHOW = "no_show", _("No-show")

    LIVE = (Status.REQUESTED, Status.APPROVED, Status.CHECKED_IN)

    # No single-column indexes on these two: (instrument, start_at) and (firm, -start_at)
    # below serve every lookup by either, and each index is one more write per booking.
    instrument = models.ForeignKey(
        Instrument,
        on_delete=models.PROTECT,
        related_name="bookings",
        verbose_name=_("instrument"),
        db_index=False,
    )
    firm = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="bookings",
        verbose_name=_("firm"),
        db_index=False,
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="bookings",
        verbose_name=_("booked by"),
    )
    start_at = models.DateTimeField(_("start"))
    end_at = models.DateTimeField(_("end"))
    purpose = models.TextField(_("purpose"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.REQUESTED
    )
    client_group = models.CharField(
        _("client group"),
        max_length=16,
        choices=Price.ClientGroup.choices,
        default=Price.ClientGroup.EXTERNAL_FIRM,
    )
    rate_per_hour_fen = models.BigIntegerField(_("rate per hour (fen)"), default=0)
    quote_fen = models.BigIntegerField(_("quote (fen)"), default=0)
    fee_fen = models.BigIntegerField(_("fee (fen)"), null=True, blank=True)
    # The recurring series this booking is an occurrence of (None: a single booking).
    series = models.ForeignKey(
        "booking.BookingSeries",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="occurrences",
        verbose_name=_("series"),
    )
    # Claimed with a compare-and-set by the reminder task, so nobody is reminded twice.
    reminder_sent_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        ordering = ["-start_at", "-pk"]
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        indexes = [
            models.Index(fields=["instrument", "start_at"]),
            models.Index(fields=["firm", "-start_at"]),
            models.Index(fields=["status", "start_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_at__gt=models.F("start_at")), name="booking_end_after_start"
            ),
            models.CheckConstraint(
                condition=Q(quote_fen__gte=0) & Q(rate_per_hour_fen__gte=0),
                name="booking_money_nonneg",
            ),
            models.CheckConstraint(
                condition=Q(fee_fen__isnull=True) | Q(fee_fen__gte=0), name="booking_fee_nonneg"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.instrument} {self.start_at:%Y-%m-%d %H:%M}"

    @property
    def is_live(self) -> bool:
        return self.status in self.LIVE

    @property
    def check_in_opens_at(self):
        """Check-in opens BOOKING_CHECK_IN_OPENS_MINUTES before the booked start."""
        return self.start_at - dt.timedelta(minutes=settings.BOOKING_CHECK_IN_OPENS_MINUTES)


class Session(models.Model):
    """What actually happened at the instrument: the session log."""

    booking = models.OneToOneField(Booking, on_delete=models.PROTECT, related_name="session")
    actual_start_at = models.DateTimeField(_("actual start"))
    actual_end_at = models.DateTimeField(_("actual end"), null=True, blank=True)
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("operator"),
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("session log")
        verbose_name_plural = _("session logs")
        constraints = [
            models.CheckConstraint(
                condition=Q(actual_end_at__isnull=True)
                | Q(actual_end_at__gt=models.F("actual_start_at")),
                name="session_end_after_start",
            )
        ]
