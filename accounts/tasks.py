from celery import shared_task
from django.core.mail import EmailMultiAlternatives


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_email(
    subject: str,
    body: str,
    to: list[str],
    from_email: str | None = None,
    html: str | None = None,
    attachments: list[tuple[str, str, str]] | None = None,
) -> int:
    """Send one email; attachments are (filename, text content, mimetype)."""
    message = EmailMultiAlternatives(subject, body, from_email, to)
    if html:
        message.attach_alternative(html, "text/html")
    for filename, content, mimetype in attachments or []:
        message.attach(filename, content, mimetype)
    return message.send()
