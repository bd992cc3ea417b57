"""Absolute links for what leaves the site (e-mails, iCal feeds): always on SITE_URL, the
address the platform is served at, never the host a request happened to come in by."""

from django.conf import settings


def site_link(path: str) -> str:
    return f"{settings.SITE_URL}{path}"
