"""The session log's bounds: what a lab manager may record as having happened.

A session is billed from what is logged, so nothing the log holds may be
impossible: check-in opens ``BOOKING_CHECK_IN_OPENS_MINUTES`` before the booked
start; an actual time lies between that moment and now (never in the future,
never in year 0001); a session lasts at least a minute and is billed at least the
instrument's minimum length; the operator is a member of the instrument's provider.
Pure checks (one query for the operator), run by ``booking_check_in`` /
``booking_check_out`` under their transaction.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, User
from booking.models import Booking
from config.errors import Invalid


def _invalid(code: str, message, field: str) -> Invalid:
    return Invalid(message, code=code, fields={field: [str(message)]})


def _local(moment: dt.datetime) -> str:
    return date_format(timezone.localtime(moment), "Y-m-d H:i")


def check_in_is_open(booking: Booking, *, now: dt.datetime) -> None:
    opens = booking.check_in_opens_at
    if now < opens:
        raise _invalid(
            "check_in_not_open",
            _("Check-in opens at %(at)s, %(n)s minutes before the booked start.")
            % {"at": _local(opens), "n": settings.BOOKING_CHECK_IN_OPENS_MINUTES},
            "actual_start",
        )


def actual_time(
    value: dt.datetime | None, *, booking: Booking, now: dt.datetime, field: str
) -> dt.datetime:
    """``value`` (None = now) if it lies between check-in's opening and now."""
    if value is None:
        return now
    if timezone.is_naive(value):
        raise _invalid("invalid_time", _("Give the time with a time zone."), field)
    opens = booking.check_in_opens_at
    if value < opens:
        raise _invalid(
            "actual_before_check_in",
            _("The actual time cannot be before %(at)s, when check-in opened.")
            % {"at": _local(opens)},
            field,
        )
    if value > now:
        raise _invalid("actual_in_future", _("The actual time cannot be in the future."), field)
    return value


def check_length(start: dt.datetime, end: dt.datetime) -> None:
    """End after start, by at least a minute: an empty session bills nothing real."""
    if end <= start:
        raise _invalid(
            "end_before_start", _("The actual end must be after the actual start."), "actual_end"
        )
    if end - start < dt.timedelta(minutes=1):
        raise _invalid("empty_session", _("A session lasts at least one minute."), "actual_end")


def billed_minutes(used: int, *, min_minutes: int) -> int:
    """The instrument's minimum length is also its minimum charge: a 10-minute use of an
    instrument booked in hours at least is billed the minimum, as the booking was."""
    return max(used, min_minutes)


def session_operator(*, booking: Booking, operator: User | int | None, actor: User) -> User:
    """The operator named (a user or id), else the actor. A named operator must be an
    active member of the instrument's provider; an unknown id gets the same answer as an
    outsider's, so the log never names someone silently replaced or outside the lab."""
    if operator is None:
        return actor
    operator_id = operator if isinstance(operator, int) else operator.pk
    provider_id = booking.instrument.provider_id
    member = (
        Membership.objects.filter(
            user_id=operator_id, user__is_active=True, organisation_id=provider_id
        )
        .select_related("user")
        .first()
    )
    if member is None:
        raise _invalid(
            "operator_not_member",
            _("The operator must be a member of the instrument's lab."),
            "operator",
        )
    return member.user
