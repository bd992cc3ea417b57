from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from facilities.models import Instrument


class BookingSeries(models.Model):
    """A recurring series of one instrument's time: the rule it was booked by.

    The occurrences are ordinary bookings (``Booking.series``), each created through the
    one create path, so every invariant of a booking holds for each of them.
    """

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", _("Every week")
        DAILY = "daily", _("Every n days")
        WEEKDAYS = "weekdays", _("Every weekday (Mon–Fri)")

    class Mode(models.TextChoices):
        ALL_OR_NOTHING = "all", _("All or nothing")
        FREE_ONLY = "free", _("Book the free ones")

    instrument = models.ForeignKey(
        Instrument, on_delete=models.PROTECT, related_name="+", verbose_name=_("instrument")
    )
    firm = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("firm")
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # The RFC 5545 rule the occurrences were expanded from (DTSTART is ``first_start_at``).
    rrule = models.CharField(_("recurrence rule"), max_length=200)
    first_start_at = models.DateTimeField(_("first start"))
    minutes = models.PositiveIntegerField(_("length (minutes)"))
    purpose = models.TextField(_("purpose"))
    mode = models.CharField(_("mode"), max_length=4, choices=Mode.choices)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("booking series")
        verbose_name_plural = _("booking series")
        indexes = [models.Index(fields=["firm", "-created_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(minutes__gt=0), name="series_minutes_pos")
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.instrument_id} {self.rrule}"


class BookingMove(models.Model):
    """One move of a booking to another range or instrument: where it was, where it went,
    who moved it and why. Append-only, like the StateChange rows."""

    booking = models.ForeignKey("booking.Booking", on_delete=models.PROTECT, related_name="moves")
    from_instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="+")
    from_start_at = models.DateTimeField()
    from_end_at = models.DateTimeField()
    to_instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="+")
    to_start_at = models.DateTimeField()
    to_end_at = models.DateTimeField()
    from_quote_fen = models.BigIntegerField()
    to_quote_fen = models.BigIntegerField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("booking move")
        verbose_name_plural = _("booking moves")
