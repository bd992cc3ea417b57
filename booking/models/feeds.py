from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class FeedToken(models.Model):
    """The secret in an iCal feed URL: a user's bookings, or one instrument's calendar."""

    token = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feed_tokens"
    )
    instrument = models.ForeignKey(
        "facilities.Instrument", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(instrument__isnull=True), name="feed_one_per_user"
            ),
            models.UniqueConstraint(
                fields=["user", "instrument"],
                condition=Q(instrument__isnull=False),
                name="feed_one_per_user_instrument",
            ),
        ]
