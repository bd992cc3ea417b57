"""Is the booker qualified for each session they book? Checked against the session's own
day, so a qualification that ends on 31 December does not let a firm book 12 January; a
series checks every occurrence with one query (``check_training_occurrences``).

The refusal says why (never trained, expired on …, ends before the session, withdrawn on
…) and whom to ask: the instrument's contact, else the provider's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import ProviderProfile
from config.errors import Invalid
from facilities.calendars import local_tz
from facilities.models import Instrument, Qualification


def session_day(start_at: dt.datetime, end_at: dt.datetime) -> dt.date:
    """The local day the session ends on (its last instant), the day a qualification must
    still cover."""
    last = max(start_at, end_at - dt.timedelta(microseconds=1))
    return last.astimezone(local_tz()).date()


def qualifications_of(instrument_id: int, user) -> list[Qualification]:
    """The user's qualifications on the instrument, live and past, newest first: held by
    their account or by their sign-in address (granted before they were a client)."""
    email = (getattr(user, "email", "") or "").strip().lower()
    who = Q(user_id=user.pk)
    if email:
        who |= Q(user__isnull=True, email=email)
    return list(
        Qualification.objects.filter(who, instrument_id=instrument_id).order_by("-granted_at")
    )


def covers(rows: list[Qualification], day: dt.date) -> bool:
    return any(q.is_valid_on(day) for q in rows)


def check_training_occurrences(
    instrument: Instrument, user, occurrences: Iterable[tuple[dt.datetime, dt.datetime]]
) -> None:
    """Raise Invalid ``training_required`` / ``qualification_expired`` /
    ``qualification_ends_before`` / ``qualification_revoked`` (field ``instrument``) for the
    first occurrence (start, end) no qualification of ``user`` covers; nothing when the
    instrument needs no training. One query, whatever the number of occurrences."""
    if not instrument.requires_training:
        return
    rows = qualifications_of(instrument.pk, user)
    for start_at, end_at in occurrences:
        day = session_day(start_at, end_at)
        if not covers(rows, day):
            raise _refusal(instrument, rows, day)


def training_refusals(
    instrument: Instrument, user, occurrences: Iterable[tuple[dt.datetime, dt.datetime]]
) -> dict[int, Invalid]:
    """``{index: the Invalid check_training_occurrences would raise}`` for every occurrence
    no qualification of ``user`` covers (the series preview marks them all), from one
    query; empty when the instrument needs no training."""
    if not instrument.requires_training:
        return {}
    rows = qualifications_of(instrument.pk, user)
    refused, contact = {}, None
    for i, (start_at, end_at) in enumerate(occurrences):
        day = session_day(start_at, end_at)
        if not covers(rows, day):
            contact = instrument_contact(instrument) if contact is None else contact
            refused[i] = _refusal(instrument, rows, day, contact)
    return refused


def _refusal(
    instrument: Instrument, rows: list[Qualification], day: dt.date, contact: str | None = None
) -> Invalid:
    contact = contact if contact is not None else instrument_contact(instrument)
    today = timezone.localdate()
    live = [q for q in rows if q.revoked_at is None]
    if live:  # none covers the day, so each has an expiry before it
        last = max(q.expires_on for q in live)
        if last < today:
            code, message = (
                "qualification_expired",
                _(
                    "Your training on this instrument expired on %(date)s. Contact %(contact)s "
                    "to renew it."
                )
                % {"date": f"{last:%Y-%m-%d}", "contact": contact},
            )
        else:
            code, message = (
                "qualification_ends_before",
                _(
                    "Your training on this instrument is valid until %(date)s, before this "
                    "session on %(day)s. Contact %(contact)s to renew it."
                )
                % {"date": f"{last:%Y-%m-%d}", "day": f"{day:%Y-%m-%d}", "contact": contact},
            )
    elif rows and not live:
        withdrawn = max(q.revoked_at for q in rows).astimezone(local_tz()).date()
        code, message = (
            "qualification_revoked",
            _(
                "Your training on this instrument was withdrawn on %(date)s. Contact %(contact)s "
                "to be trained again."
            )
            % {"date": f"{withdrawn:%Y-%m-%d}", "contact": contact},
        )
    else:
        code, message = (
            "training_required",
            _(
                "This instrument needs training before you can book it. Contact %(contact)s to "
                "arrange training and get qualified."
            )
            % {"contact": contact},
        )
    return Invalid(message, code=code, fields={"instrument": [str(message)]})


def instrument_contact(instrument: Instrument) -> str:
    """Whom a refused booker asks: the instrument's contact, else the provider's, else the
    provider by name. With a phone or address so the message can be acted on."""
    name, reach = instrument.contact_name, instrument.contact_phone or instrument.contact_email
    if not (name or reach):
        profile = ProviderProfile.objects.filter(organisation_id=instrument.provider_id).first()
        if profile is not None:
            name = profile.contact_name
            reach = profile.contact_phone or profile.contact_email
    if not (name or reach):
        name = str(instrument.provider)
    return f"{name} ({reach})" if name and reach else (name or reach)
