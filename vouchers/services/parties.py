"""Related parties a firm or provider declares."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.scoping import Scope
from config.errors import Conflict, Invalid, NotFound
from vouchers.ledger import party_lock
from vouchers.models import RelatedParty


def _require_member(actor: User, organisation_id: int) -> None:
    scope = Scope.for_user(actor)
    if not (scope.is_admin or organisation_id in scope.firm_ids | scope.provider_ids):
        raise NotFound(_("Organisation not found."), code="organisation_not_found")


def related_party_declare(
    *, actor: User, organisation_id: int, role: str, name: str, identifier: str
) -> RelatedParty:
    """Declare a legal representative, shareholder or actual controller of the actor's
    firm or provider. Errors: NotFound, Invalid ``party_*``, Conflict ``party_declared``."""
    _require_member(actor, organisation_id)
    if role not in RelatedParty.Role.values:
        raise Invalid(_("Unknown role."), code="party_role_invalid",
                      fields={"role": [str(_("Unknown role."))]})  # fmt: skip
    name, identifier = (name or "").strip(), (identifier or "").strip().upper()
    if not name or not 6 <= len(identifier) <= 30:
        message = _("Give the party's name and identity number or credit code.")
        raise Invalid(message, code="party_incomplete", fields={"identifier": [str(message)]})
    try:
        with transaction.atomic():
            if role == RelatedParty.Role.ACTUAL_CONTROLLER:
                # Waits for the organisation's orders being placed under a per-controller
                # cap (and holds new ones back), so none prices with the group it had
                # before this declaration and commits after it.
                party_lock(organisation_id, shared=False)
            return RelatedParty.objects.create(organisation_id=organisation_id, role=role,
                                               name=name, identifier=identifier, declared_by=actor)  # fmt: skip
    except IntegrityError as exc:
        raise Conflict(_("This party is already declared."), code="party_declared") from exc


def related_party_remove(*, actor: User, party_id: int) -> None:
    party = RelatedParty.objects.filter(pk=party_id).first()
    if party is None:
        raise NotFound(_("Not found."))
    _require_member(actor, party.organisation_id)
    with transaction.atomic():
        if party.role == RelatedParty.Role.ACTUAL_CONTROLLER:
            party_lock(party.organisation_id, shared=False)
        party.delete()
