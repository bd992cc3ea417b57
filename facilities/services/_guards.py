"""Shared guards: who may change a provider's catalogue, and the instrument row lock."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.scoping import Scope
from config.errors import NotFound
from facilities.models import Instrument


def ensure_manages(*, actor, provider_id: int) -> None:
    """Refuse (as not found, never 403) unless ``actor`` manages the provider."""
    if actor is None or not Scope.for_user(actor).can_manage_provider(provider_id):
        raise NotFound(_("Not found."), code="not_found")


def lock_instrument(*, actor, instrument: Instrument | int) -> Instrument:
    """Lock the Instrument row (bookings lock the same row, first), then check that
    ``actor`` manages it: the check reads the provider of the row as locked."""
    pk = instrument.pk if isinstance(instrument, Instrument) else instrument
    locked = Instrument.objects.select_for_update().filter(pk=pk).first()
    if locked is None:
        raise NotFound(_("Not found."), code="not_found")
    ensure_manages(actor=actor, provider_id=locked.provider_id)
    return locked


def clean_or_invalid(obj, *, exclude: list[str] | None = None) -> None:
    """Run model validation and raise Invalid with per-field messages."""
    from django.core.exceptions import ValidationError

    from config.errors import Invalid

    try:
        obj.full_clean(exclude=exclude, validate_unique=False)
    except ValidationError as exc:
        fields = {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
        first = next(iter(fields.values()))[0] if fields else _("The request is not valid.")
        raise Invalid(first, code="invalid", fields=fields) from exc


def ensure_provider(provider) -> None:
    from accounts.models import Organisation
    from config.errors import Invalid

    if provider.kind != Organisation.Kind.PROVIDER:
        raise Invalid(_("Only a provider can list instruments and services."), code="not_provider")
