import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from booking.models import Booking
from config.errors import Conflict, Invalid
from facilities.models import Blackout
from facilities.services import blackouts_import_ics
from tests.factories.facilities import InstrumentFactory

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)  # a Monday

WEEKLY = b"""BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//LabShare test//EN
BEGIN:VEVENT
UID:weekly-calibration@lab
DTSTART;TZID=Asia/Shanghai:20260304T140000
DTEND;TZID=Asia/Shanghai:20260304T160000
RRULE:FREQ=WEEKLY;BYDAY=WE;COUNT=4
SUMMARY:\xe5\x91\xa8\xe4\xb8\x89\xe6\xa0\xa1\xe5\x87\x86
END:VEVENT
BEGIN:VEVENT
UID:one-off@lab
DTSTART;VALUE=DATE:20260320
DTEND;VALUE=DATE:20260321
SUMMARY:Annual service
END:VEVENT
END:VCALENDAR
"""


@time_machine.travel(NOW, tick=False)
def test_weekly_rrule_expands_to_shanghai_wednesdays(manager, provider):
    instrument = InstrumentFactory(provider=provider)
    result = blackouts_import_ics(actor=manager, instrument=instrument, content=WEEKLY)
    assert (result["created"], result["skipped"]) == (5, 0)
    weekly = Blackout.objects.filter(source_uid="weekly-calibration@lab").order_by("start_at")
    local = [(b.start_at.astimezone(SHANGHAI), b.end_at.astimezone(SHANGHAI)) for b in weekly]
    assert [s.date() for s, _e in local] == [dt.date(2026, 3, d) for d in (4, 11, 18, 25)]
    assert all(s.hour == 14 and e.hour == 16 and s.weekday() == 2 for s, e in local)
    assert weekly[0].start_at == dt.datetime(2026, 3, 4, 6, 0, tzinfo=dt.UTC)  # stored as UTC
    assert weekly[0].reason == "周三校准"
    all_day = Blackout.objects.get(source_uid="one-off@lab")
    assert all_day.start_at.astimezone(SHANGHAI) == dt.datetime(2026, 3, 20, tzinfo=SHANGHAI)
    assert all_day.end_at - all_day.start_at == dt.timedelta(days=1)


@time_machine.travel(NOW, tick=False)
def test_reimporting_the_same_file_adds_nothing(manager, provider):
    instrument = InstrumentFactory(provider=provider)
    first = blackouts_import_ics(actor=manager, instrument=instrument, content=WEEKLY)
    again = blackouts_import_ics(actor=manager, instrument=instrument, content=WEEKLY)
    assert (again["created"], again["skipped"], again["calendar"]) == (0, 5, first["calendar"])
    assert Blackout.objects.count() == 5


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"this is not a calendar", "ics_malformed"),
        (b"BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:2026", "ics_malformed"),
        (WEEKLY + b" " * (1024 * 1024), "ics_too_large"),
        (WEEKLY.replace(b"FREQ=WEEKLY;BYDAY=WE;COUNT=4", b"FREQ=HOURLY"), "ics_too_many_events"),
        (WEEKLY.replace(b"FREQ=WEEKLY;BYDAY=WE;COUNT=4", b"FREQ=SECONDLY"), "ics_too_many_events"),
    ],
)
def test_bad_file_changes_nothing(manager, provider, content, code):
    instrument = InstrumentFactory(provider=provider)
    now = timezone.now()
    Blackout.objects.create(instrument=instrument, start_at=now, end_at=now + dt.timedelta(hours=1))
    with pytest.raises(Invalid) as err:
        blackouts_import_ics(actor=manager, instrument=instrument, content=content)
    assert err.value.code == code
    assert Blackout.objects.count() == 1


@time_machine.travel(NOW, tick=False)
def test_import_over_a_live_booking_saves_nothing(manager, provider, alice, firm_a):
    instrument = InstrumentFactory(provider=provider)
    start = dt.datetime(2026, 3, 18, 15, 0, tzinfo=SHANGHAI)
    Booking.objects.create(instrument=instrument, firm=firm_a, booked_by=alice, purpose="x",
                           start_at=start, end_at=start + dt.timedelta(hours=2),
                           status=Booking.Status.APPROVED)  # fmt: skip
    with pytest.raises(Conflict) as err:
        blackouts_import_ics(actor=manager, instrument=instrument, content=WEEKLY)
    assert err.value.code == "blackout_overlaps_bookings"
    assert "2026-03-18" in err.value.data["dates"]
    assert not Blackout.objects.exists()
