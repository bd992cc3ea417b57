"""Who is trained on what: granted and revoked by the instrument's lab managers."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from config.errors import Conflict, Invalid, NotFound
from facilities.models import Instrument, Qualification
from facilities.services._guards import lock_instrument
from facilities.trainees import normalise_email, trainee_find


@transaction.atomic
def qualification_grant(
    *,
    actor: User,
    instrument: Instrument,
    user=None,
    email: str = "",
    expires_on: dt.date | None = None,
    note: str = "",
) -> Qualification:
    """Record a person as trained on ``instrument`` until ``expires_on`` (None: no expiry).

    ``user`` (an id) must be one of the people the lab deals with (``facilities.trainees``),
    else NotFound ``user_not_found``. ``email`` matches such a person's account; any other
    address is granted by address (``Qualification.email``) and counts for whoever signs in
    with it, so the answer never tells whether an account exists. A live qualification is
    renewed (new expiry) rather than duplicated. Errors: Invalid ``expiry_in_past``,
    ``email_required``; Forbidden (not a manager of the instrument).
    """
    locked = lock_instrument(actor=actor, instrument=instrument)
    user_id = getattr(user, "pk", user)
    person = trainee_find(provider_id=locked.provider_id, user_id=user_id, email=email)
    if expires_on is not None and expires_on < timezone.localdate():
        raise Invalid(_("The expiry date is in the past."), code="expiry_in_past",
                      fields={"expires_on": [_("The expiry date is in the past.")]})  # fmt: skip
    live = Qualification.objects.filter(instrument=locked, revoked_at__isnull=True)
    if person is not None:
        who = {"user": person}
        live = live.filter(user=person)
    else:
        who = {"email": normalise_email(email)}
        live = live.filter(user__isnull=True, email=who["email"])
    current = live.select_for_update().first()
    if current is not None:
        current.expires_on = expires_on
        current.granted_by = actor
        current.granted_at = timezone.now()
        current.note = (note or "")[:200]
        current.save()
        return current
    return Qualification.objects.create(
        instrument=locked, expires_on=expires_on, granted_by=actor, note=(note or "")[:200], **who
    )


@transaction.atomic
def qualification_revoke(*, actor: User, qualification: Qualification | int) -> Qualification:
    """End a qualification now; the row stays as the record of who was trained when."""
    pk = qualification.pk if isinstance(qualification, Qualification) else qualification
    row = Qualification.objects.filter(pk=pk).values_list("instrument_id", flat=True).first()
    if row is None:
        raise NotFound(_("Not found."), code="not_found")
    lock_instrument(actor=actor, instrument=row)
    updated = Qualification.objects.filter(pk=pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=actor
    )
    if not updated:
        raise Conflict(_("This qualification is already revoked."), code="already_revoked")
    return Qualification.objects.get(pk=pk)
