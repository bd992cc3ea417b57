from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """An in-app message; the same event also goes out by email."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=40)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["user", "read_at", "-created_at"])]


class Announcement(models.Model):
    """A booking event still to be announced: the transactional outbox.

    Written in the same transaction as the change it announces, so an announcement exists
    exactly when the change committed (no broker round trip inside the request, nothing lost
    if the process dies right after the commit). ``booking.announcements.deliver`` turns
    each row into notifications and deletes it.
    """

    # Never looked up by booking, and the rows live for seconds: no index to maintain.
    booking = models.ForeignKey(
        "booking.Booking", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    event = models.CharField(_("event"), max_length=20)
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("pending announcement")
        verbose_name_plural = _("pending announcements")
