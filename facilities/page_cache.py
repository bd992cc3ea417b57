"""The cache of the public instrument page's static part (specs, prices, hours, provider).

An instrument, a provider and the catalogue's reference rows (categories, regions) each
have a version token in the cache. A cached fragment is keyed by the instrument's and its
provider's tokens, the reference token, the instrument's ``updated_at`` (its own fields:
``save()`` stamps it), the language and the day (accreditations expire). An edit never
needs to find the fragments it outdates: it drops the token, and the old fragments become
unreachable and expire. Tokens are random, not counters: a token lost to eviction is
replaced by a fresh one, which can never match a fragment written under the old one.

Writes drop tokens after commit. The page reads the tokens *before* the rows they cover
(prices, hours, provider, categories), so a fragment rendered from rows older than an
edit is stored under a token that the edit has already dropped (or drops right after),
never under the one that replaces it.

Model signals cover the admin and the services; ``instrument_page_invalidate`` is for
writes that send no signal (``bulk_create``, ``QuerySet.update``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

FRAGMENT_TTL = 3600  # seconds; bounds the memory of fragments nobody asks for
TOKEN_TTL = 7 * 24 * 3600
REFERENCE_KEY = "catalogue:instrument-page:reference"


def _token_key(kind: str, pk) -> str:
    return f"catalogue:instrument-page:{kind}:{pk}"


def instrument_page_tokens(*, instrument_id: int, provider_id: int) -> str:
    """The instrument's, its provider's and the reference data's tokens (created when
    missing), in one round trip when they exist."""
    keys = [_token_key("instrument", instrument_id), _token_key("provider", provider_id),
            REFERENCE_KEY]  # fmt: skip
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            token = uuid.uuid4().hex
            # add, not set: when another reader got there first, its token stands. With
            # the cache unreachable both answer nothing: the fresh token then matches no
            # fragment, so the page renders uncached rather than failing.
            found[key] = token if cache.add(key, token, TOKEN_TTL) else cache.get(key) or token
    return ".".join(found[key] for key in keys)


def instrument_page_fragment_key(
    *, instrument_id: int, tokens: str, updated_at, language: str, day
) -> str:
    stamp = updated_at.timestamp() if updated_at else 0
    return (
        f"catalogue:instrument-page:{instrument_id}:{tokens}:{stamp}:{language}:{day.isoformat()}"
    )


def instrument_page_invalidate(*, instrument_ids: Iterable[int] = (), provider_id=None) -> None:
    """Outdate the cached page of these instruments (or of all the provider's) once the
    current transaction commits."""
    keys = [_token_key("instrument", pk) for pk in set(instrument_ids)]
    if provider_id is not None:
        keys.append(_token_key("provider", provider_id))
    if keys:
        transaction.on_commit(lambda: cache.delete_many(keys))


def _invalidate_all() -> None:
    transaction.on_commit(lambda: cache.delete(REFERENCE_KEY))


def _on_instrument(sender, instance, **kwargs):
    instrument_page_invalidate(instrument_ids=[instance.pk])


def _on_instrument_row(sender, instance, **kwargs):
    instrument_page_invalidate(instrument_ids=[instance.instrument_id])


def _on_organisation(sender, instance, **kwargs):
    if instance.kind == instance.Kind.PROVIDER:
        instrument_page_invalidate(provider_id=instance.pk)


def _on_profile(sender, instance, **kwargs):
    instrument_page_invalidate(provider_id=instance.organisation_id)


def _on_accreditation(sender, instance, **kwargs):
    instrument_page_invalidate(provider_id=instance.provider_id)


def _on_reference(sender, instance, **kwargs):
    _invalidate_all()


def connect_instrument_page_invalidation() -> None:
    """Hook every model the cached part shows (called from ``FacilitiesConfig.ready``)."""
    from accounts.models import Accreditation, Organisation, ProviderProfile, Region
    from facilities.models import Category, Instrument, OpeningException, OpeningHours, Price

    receivers = [
        (Instrument, _on_instrument),
        (Price, _on_instrument_row),
        (OpeningHours, _on_instrument_row),
        (OpeningException, _on_instrument_row),
        (Organisation, _on_organisation),
        (ProviderProfile, _on_profile),
        (Accreditation, _on_accreditation),
        (Category, _on_reference),
        (Region, _on_reference),
    ]
    for model, receiver in receivers:
        uid = f"instrument-page-{model._meta.label_lower}"
        post_save.connect(receiver, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(receiver, sender=model, dispatch_uid=f"{uid}-delete")
