from types import SimpleNamespace
from urllib.parse import quote, urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from accounts.tasks import send_email
from config.client_ip import client_ip
from config.links import site_link
from config.queueing import enqueue_on_commit

SITE_NAME = "LabShare"


class AccountAdapter(DefaultAccountAdapter):
    """Account emails (verification, password reset) go out through Celery after commit,
    naming the site and linking to SITE_URL."""

    def send_mail(self, template_prefix, email, context):
        site = SimpleNamespace(name=SITE_NAME, domain=urlsplit(settings.SITE_URL).netloc)
        context = {"email": email, "current_site": site, "site_url": settings.SITE_URL} | {
            k: v for k, v in context.items() if k != "current_site"
        }
        message = self.render_mail(template_prefix, email, context)
        html = None
        for content, mimetype in getattr(message, "alternatives", []):
            if mimetype == "text/html":
                html = content
        payload = {
            "subject": message.subject.strip(),
            "body": message.body,
            "to": list(message.to),
            "from_email": message.from_email,
            "html": html,
        }
        enqueue_on_commit(send_email, **payload)

    def get_client_ip(self, request) -> str:
        """allauth's rate limits count per client address as the throttles do."""
        return client_ip(request)

    def get_email_confirmation_url(self, request, emailconfirmation):
        return site_link(reverse("account_confirm_email", args=[emailconfirmation.key]))

    def get_reset_password_from_key_url(self, key):
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return site_link(path.replace("UID-KEY", quote(key)))

    def post_login(self, request, user, **kwargs):
        """Signing in switches the pages to the language the user chose in their profile,
        and the "signed in" message is written in it too (not in the browser's language,
        which the next page no longer speaks)."""
        language = getattr(user, "language", None)
        with translation.override(language or translation.get_language()):
            response = super().post_login(request, user, **kwargs)
        if language and hasattr(response, "set_cookie"):
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                user.language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                samesite="Lax",
            )
        return response
