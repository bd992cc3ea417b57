from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings

from accounts.tasks import send_email
from config.client_ip import client_ip
from config.queueing import enqueue_on_commit


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
        enqueue_on_commit(send_email, **payload)

    def get_client_ip(self, request) -> str:
        """allauth's rate limits count per client address as the throttles do."""
        return client_ip(request)

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
