from allauth.account.adapter import DefaultAccountAdapter
from django.db import transaction

from accounts.tasks import send_email


class AccountAdapter(DefaultAccountAdapter):
    """Account emails (verification, password reset) go out through Celery after commit."""

    def send_mail(self, template_prefix, email, context):
        message = self.render_mail(template_prefix, email, context)
        html = None
        for content, mimetype in getattr(message, "alternatives", []):
            if mimetype == "text/html":
                html = content
        payload = {
            "subject": message.subject,
            "body": message.body,
            "to": list(message.to),
            "from_email": message.from_email,
            "html": html,
        }
        transaction.on_commit(lambda: send_email.delay(**payload))
