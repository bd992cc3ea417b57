from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class StateChange(models.Model):
    """Who moved an order from one state to another, when and why. Append-only."""

    booking = models.ForeignKey(
        "booking.Booking", null=True, blank=True, on_delete=models.PROTECT, related_name="history"
    )
    service_request = models.ForeignKey(
        "booking.ServiceRequest",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="history",
    )
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty when the system made the change."),
    )
    reason = models.TextField(_("reason"), blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("state change")
        verbose_name_plural = _("state changes")
        constraints = [
            models.CheckConstraint(
                condition=(Q(booking__isnull=False) & Q(service_request__isnull=True))
                | (Q(booking__isnull=True) & Q(service_request__isnull=False)),
                name="state_change_one_order",
            )
        ]
