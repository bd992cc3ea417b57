from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
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

    def post_login(self, request, user, **kwargs):
        """Signing in switches the pages to the language the user chose in their profile."""
        response = super().post_login(request, user, **kwargs)
        if getattr(user, "language", None) and hasattr(response, "set_cookie"):
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                user.language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                samesite="Lax",
            )
        return response
