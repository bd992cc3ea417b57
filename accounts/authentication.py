"""``Authorization: Token <key>`` against named, revocable API tokens.

The digest → (token, user, the user's Scope) lookup is kept in the Django cache (Redis in
production) for ``CACHE_SECONDS``: a busy API client otherwise pays a joined token+user query
and the membership query on every call. Revocation through
``accounts.services.api_token_revoke`` deletes the entry at once (``forget_token``), and so
does any change of the user's memberships or organisations (``accounts.signals``); anything
else (a user deactivated, a row changed by hand) takes effect within ``CACHE_SECONDS``.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from accounts.models import ApiToken
from accounts.scoping import Scope

CACHE_SECONDS = 10
TOUCH_SECONDS = 60


def token_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _cache_key(digest: str) -> str:
    return f"apitoken:{digest}"


def forget_token(digest: str) -> None:
    """Drop the cached lookup of a token (called when it is revoked)."""
    cache.delete(_cache_key(digest))


def forget_tokens_of(user_ids) -> None:
    """Drop the cached lookups of every token of these users (their scope changed)."""
    digests = ApiToken.objects.filter(user_id__in=list(user_ids)).values_list("digest", flat=True)
    cache.delete_many([_cache_key(d) for d in digests])


def _load(digest: str) -> ApiToken | None:
    token = ApiToken.objects.select_related("user").filter(digest=digest).first()
    if token is not None:
        Scope.for_user(token.user)  # kept on the user object, so it is cached with it
        cache.set(_cache_key(digest), token, CACHE_SECONDS)
    return token


class ApiTokenAuthentication(authentication.TokenAuthentication):
    keyword = "Token"

    def authenticate_credentials(self, key):
        digest = token_digest(key)
        token = cache.get(_cache_key(digest)) or _load(digest)
        if token is None or token.revoked_at is not None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        now = timezone.now()
        # Touch at most once a minute so a busy client does not write on every call. The
        # entry is dropped rather than rewritten, so a revocation made meanwhile is not
        # overwritten by this request's stale copy; the next call reloads it.
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > TOUCH_SECONDS:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            forget_token(digest)
        return token.user, token
