"""Whom a lab's managers may train, without granting becoming a way to look people up.

By id (the API), a manager may pick only members of the instrument's provider or of a
firm that is its client (has booked or ordered there); any other id answers exactly as an
unknown one, so ids cannot be walked to read other organisations' e-mail addresses. By
e-mail address, a candidate is matched to their account; any other address (an account
elsewhere, or none yet) is granted *by address*, with the same answer either way, so the
form cannot be used to learn whether someone has an account. The address-held grant counts
for whoever signs in with it (a first-time user is trained before their first booking).

Which firms are clients is booking's knowledge, and booking sits above the catalogue:
booking registers the lookup in its ``ready()`` (``client_firms_register``) instead of the
catalogue importing it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from config.errors import Invalid, NotFound

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
    """The candidate with this id, or with this e-mail address. An id that is not a
    candidate is NotFound (one message for unknown and not-yours alike); an address that is
    not a candidate's gives None: the caller grants by address."""
    if user_id is not None:
        person = trainee_candidates(provider_id).filter(pk=user_id).first()
        if person is None:
            message = _("No one with this account belongs to your lab or its clients.")
            raise NotFound(message, code="user_not_found", fields={"user": [str(message)]})
        return person
    address = normalise_email(email)
    if not address:
        message = _("Give the person's e-mail address.")
        raise Invalid(message, code="email_required", fields={"email": [str(message)]})
    return trainee_candidates(provider_id).filter(email__iexact=address).first()


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()
