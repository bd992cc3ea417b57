"""The lab manager cancels a future booking its booker is no longer qualified for."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.scoping import Scope
from booking import transitions
from booking.models import Booking
from booking.services.announcements import announcement_queue
from config.errors import Forbidden, Invalid


@transaction.atomic
def booking_cancel_uncovered(*, actor: User, booking: Booking, reason: str) -> Booking:
    """requested/approved → cancelled by a lab manager of the instrument, because no
    qualification of the booker covers the session (``booking.selectors.uncovered``: the
    caller fetched it through ``booking_uncovered_get``). The cut-off that binds the firm
    does not bind the lab here: the session cannot go ahead anyway. The firm and the
    managers are told, with the reason. Errors: Forbidden ``not_manager``, Invalid
    ``reason_required``, InvalidTransition / StateChanged (409)."""
    if not Scope.for_user(actor).can_manage_provider(booking.instrument.provider_id):
        raise Forbidden(_("Only the instrument's lab managers can do this."), code="not_manager")
    reason = (reason or "").strip()
    if not reason:
        message = _("Please give a reason.")
        raise Invalid(message, code="reason_required", fields={"reason": [str(message)]})
    transitions.transition(booking, to=Booking.Status.CANCELLED, actor=actor, reason=reason)
    announcement_queue(booking_id=booking.pk, event="cancelled", reason=reason)
    return booking
