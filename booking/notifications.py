"""Tell people what happened: an in-app notification plus an email in their language.

Emails leave through Celery after the transaction commits, never inside it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.conf import settings
from django.utils import timezone, translation

from accounts.models import User
from accounts.tasks import send_email
from booking.models import Notification
from config.links import site_link
from config.queueing import enqueue_on_commit


def notify(
    users: Iterable,
    *,
    kind: str,
    render: Callable[[], tuple[str, str]],
    url: str = "",
    ics: Callable[[User], str] | None = None,
) -> list[Notification]:
    """Create one notification per user and queue one email each.

    ``render`` returns ``(title, body)`` and is called inside each recipient's
    language, so lazy strings come out translated; ``ics``, when given, returns
    the iCalendar text for that recipient (an iTIP message naming them as attendee),
    attached to the email as ``invite.ics`` with its METHOD in the content type, which
    Outlook and Gmail need to treat it as an invitation or a cancellation.
    """
    created = []
    for user in {u.pk: u for u in users}.values():
        with translation.override(user.language or settings.LANGUAGE_CODE):
            title, body = render()
            attachment = ics(user) if ics else None
        created.append(
            Notification.objects.create(user=user, kind=kind, title=title, body=body, url=url)
        )
        link = site_link(url) if url else ""
        payload = {
            "subject": f"[LabShare] {title}",
            "body": f"{body}\n\n{link}".strip(),
            "to": [user.email],
            "attachments": [("invite.ics", attachment, _ics_type(attachment))]
            if attachment
            else None,
        }
        enqueue_on_commit(send_email, **payload)
    return created


def _ics_type(text: str) -> str:
    for line in text.splitlines():
        if line.startswith("METHOD:"):
            return f"text/calendar; method={line[7:].strip()}"
    return "text/calendar"


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def mark_read(user, *, notification_ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    return qs.update(read_at=timezone.now())
