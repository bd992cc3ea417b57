"""Whom a lab's managers may train, without granting becoming a way to look people up.

By id (the API), a manager may pick only members of the instrument's provider or of a
firm that is its client (has booked or ordered there); any other id answers exactly as an
unknown one, so ids cannot be walked to read other organisations' e-mail addresses. By
e-mail address, anyone with an account: the manager typed the address, so showing it back
reveals nothing (a first-time user is trained before their first booking).

Which firms are clients is booking's knowledge, and booking sits above the catalogue:
booking registers the lookup in its ``ready()`` (``client_firms_register``) instead of the
catalogue importing it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from config.errors import NotFound

# provider id → subqueries of the firm ids that are its clients
_client_firms: list[Callable[[int], list[QuerySet]]] = []


def client_firms_register(lookup: Callable[[int], list[QuerySet]]) -> None:
    if lookup not in _client_firms:
        _client_firms.append(lookup)


def trainee_candidates(provider_id: int) -> QuerySet:
    """The users a manager of ``provider_id`` may qualify."""
    who = Q(memberships__organisation_id=provider_id)
    for lookup in _client_firms:
        for firm_ids in lookup(provider_id):
            who |= Q(memberships__organisation_id__in=firm_ids)
    return get_user_model().objects.filter(who, is_active=True).distinct()


def trainee_find(*, provider_id: int, user_id: int | None = None, email: str = ""):
    """The candidate with this id, or the user with this e-mail address; NotFound, with
    one message for unknown and not-yours alike."""
    if user_id is not None:
        person = trainee_candidates(provider_id).filter(pk=user_id).first()
    elif email.strip():
        person = (
            get_user_model().objects.filter(email__iexact=email.strip(), is_active=True).first()
        )
    else:
        person = None
    if person is None:
        message = _(
            "No one with this account belongs to your lab or its clients, or no account has "
            "this e-mail address: ask the person to sign up with it first."
        )
        field = "user" if user_id is not None else "email"
        raise NotFound(message, code="user_not_found", fields={field: [str(message)]})
    return person
