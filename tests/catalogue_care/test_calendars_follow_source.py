"""Re-importing an edited .ics brings that calendar's windows exactly to what it says."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from config.errors import Conflict, Invalid
from facilities.ics import uid_key
from facilities.models import Blackout, BlackoutCalendar, CalendarUpload
from facilities.services import (
    blackout_create,
    calendar_delete,
    calendar_preview,
    calendar_sync,
    calendar_upload_confirm,
)
from tests.factories.booking import BookingFactory
from tests.factories.facilities import InstrumentFactory

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=SH)  # a Monday


def ics(*events: str, name: str = "设备维护") -> bytes:
    body = "\r\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN",
                        f"X-WR-CALNAME:{name}", *events, "END:VCALENDAR", ""])  # fmt: skip
    return body.encode()


def event(uid: str, start: str, end: str, summary: str = "维护", extra: str = "") -> str:
    lines = ["BEGIN:VEVENT", f"UID:{uid}", f"DTSTART;TZID=Asia/Shanghai:{start}",
             f"DTEND;TZID=Asia/Shanghai:{end}", f"SUMMARY:{summary}"]  # fmt: skip
    if extra:
        lines += extra.split("\n")
    return "\r\n".join([*lines, "END:VEVENT"])


WEEKLY = event("weekly@lab", "20260304T140000", "20260304T160000", "周三校准",
               "RRULE:FREQ=WEEKLY;BYDAY=WE;COUNT=4")  # fmt: skip
ONE_OFF = event("one-off@lab", "20260310T090000", "20260310T120000", "换灯")
OTHER = event("pump@lab", "20260312T090000", "20260312T100000", "真空泵")


def windows(instrument):
    return [
        (b.source_uid, b.start_at.astimezone(SH).strftime("%m-%d %H:%M"),
         b.end_at.astimezone(SH).strftime("%H:%M"))
        for b in Blackout.objects.filter(instrument=instrument).order_by("start_at")
    ]  # fmt: skip


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def instrument(provider):
    return InstrumentFactory(provider=provider)


def sync(manager, instrument, content, **kwargs):
    return calendar_sync(actor=manager, instrument=instrument, content=content, **kwargs)


def test_edited_calendar_moves_shortens_removes_and_adds(frozen, manager, instrument):
    first = sync(manager, instrument, ics(WEEKLY, ONE_OFF))
    assert first["added"] == 5
    edited = ics(
        # the series loses 18 March (EXDATE) and its 25 March occurrence moves to Thursday
        event("weekly@lab", "20260304T140000", "20260304T160000", "周三校准",
              "RRULE:FREQ=WEEKLY;BYDAY=WE;COUNT=4\nEXDATE;TZID=Asia/Shanghai:20260318T140000"),
        event("weekly@lab", "20260326T140000", "20260326T150000", "周三校准",
              "RECURRENCE-ID;TZID=Asia/Shanghai:20260325T140000"),
        # the one-off is shortened by an hour
        event("one-off@lab", "20260310T090000", "20260310T110000", "换灯"),
        OTHER,  # and a new event
    )  # fmt: skip
    result = sync(manager, instrument, edited)
    assert result["calendar"] == first["calendar"]
    assert {k: result[k] for k in ("added", "moved", "shortened", "removed", "unchanged")} == {
        "added": 1, "moved": 1, "shortened": 1, "removed": 1, "unchanged": 2,
    }  # fmt: skip
    assert windows(instrument) == [
        ("weekly@lab", "03-04 14:00", "16:00"),
        ("one-off@lab", "03-10 09:00", "11:00"),
        ("weekly@lab", "03-11 14:00", "16:00"),
        ("pump@lab", "03-12 09:00", "10:00"),
        ("weekly@lab", "03-26 14:00", "15:00"),
    ]
    # importing it again changes nothing
    again = sync(manager, instrument, edited)
    assert again["unchanged"] == 5 and again["added"] == again["removed"] == 0


def test_a_moved_single_event_moves_its_window(frozen, manager, instrument):
    sync(manager, instrument, ics(ONE_OFF))
    original = Blackout.objects.get()
    result = sync(manager, instrument,
                  ics(event("one-off@lab", "20260311T130000", "20260311T150000", "换灯")))  # fmt: skip
    assert result["moved"] == 1 and result["added"] == result["removed"] == 0
    moved = Blackout.objects.get()
    assert moved.pk == original.pk
    assert moved.start_at == dt.datetime(2026, 3, 11, 13, tzinfo=SH)


def test_a_calendar_emptied_of_events_removes_its_windows_but_not_others(
    frozen, manager, instrument
):
    sync(manager, instrument, ics(WEEKLY))
    sync(manager, instrument, ics(OTHER, name="真空泵保养"))
    blackout_create(actor=manager, instrument=instrument, start_at=NOW + dt.timedelta(days=20),
                    end_at=NOW + dt.timedelta(days=20, hours=1))  # fmt: skip
    result = sync(manager, instrument, ics(name="设备维护"))
    assert result["removed"] == 4
    assert [w[0] for w in windows(instrument)] == ["pump@lab", ""]


def test_past_windows_are_history_and_stay(manager, instrument):
    with time_machine.travel(NOW, tick=False):
        sync(manager, instrument, ics(WEEKLY))
    with time_machine.travel(dt.datetime(2026, 3, 12, 9, tzinfo=SH), tick=False):
        result = sync(manager, instrument, ics(name="设备维护"))
    assert result["removed"] == 2  # 18 and 25 March; 4 and 11 March have passed
    assert len(windows(instrument)) == 2


def test_a_change_onto_a_live_booking_refuses_the_whole_import(frozen, manager, instrument):
    sync(manager, instrument, ics(WEEKLY, ONE_OFF))
    BookingFactory(instrument=instrument, start_at=dt.datetime(2026, 3, 11, 9, tzinfo=SH),
                   end_at=dt.datetime(2026, 3, 11, 10, tzinfo=SH))  # fmt: skip
    before = windows(instrument)
    moved_onto_booking = ics(WEEKLY, event("one-off@lab", "20260311T083000", "20260311T093000"))
    with pytest.raises(Conflict) as err:
        sync(manager, instrument, moved_onto_booking)
    assert err.value.code == "blackout_overlaps_bookings"
    assert windows(instrument) == before  # nothing moved, nothing removed
    # the preview says so before anyone confirms
    upload = calendar_preview(actor=manager, instrument=instrument, content=moved_onto_booking)
    assert upload.changes["clash_dates"] == ["2026-03-11"]
    with pytest.raises(Conflict):
        calendar_upload_confirm(actor=manager, upload=upload)
    upload.refresh_from_db()
    assert upload.status == CalendarUpload.Status.PREVIEW


def test_preview_lists_changes_and_writes_nothing_until_confirmed(frozen, manager, instrument):
    sync(manager, instrument, ics(ONE_OFF, OTHER))
    upload = calendar_preview(
        actor=manager, instrument=instrument,
        content=ics(event("one-off@lab", "20260310T090000", "20260310T100000", "换灯")),
        filename="维护.ics",
    )  # fmt: skip
    assert upload.calendar is not None and upload.calendar_name == "设备维护"
    assert upload.changes["shortened"] == 1 and upload.changes["removed"] == 1
    assert [i["change"] for i in upload.changes["changes"]] == ["shortened", "removed"]
    assert len(windows(instrument)) == 2
    result = calendar_upload_confirm(actor=manager, upload=upload)
    assert result["shortened"] == 1 and len(windows(instrument)) == 1
    with pytest.raises(Conflict) as err:
        calendar_upload_confirm(actor=manager, upload=upload)
    assert err.value.code == "import_already_confirmed"


def test_a_uid_longer_than_the_column_is_hashed_and_stays_idempotent(frozen, manager, instrument):
    long_uid = "x" * 300 + "@exchange.example.cn"
    content = ics(event(long_uid, "20260310T090000", "20260310T120000"))
    assert sync(manager, instrument, content)["added"] == 1
    again = sync(manager, instrument, content)
    assert again["unchanged"] == 1 and again["added"] == 0
    stored = Blackout.objects.get()
    assert stored.source_uid == uid_key(long_uid) and len(stored.source_uid) <= 255
    other = ics(event("x" * 300 + "@other.example.cn", "20260310T130000", "20260310T140000"))
    assert sync(manager, instrument, other, name="另一个")["added"] == 1  # not the same UID


def test_removing_a_calendar_removes_all_its_windows_at_once(frozen, manager, instrument):
    kept = sync(manager, instrument, ics(OTHER, name="真空泵保养"))
    gone = sync(manager, instrument, ics(WEEKLY, ONE_OFF))
    assert calendar_delete(actor=manager, calendar=gone["calendar"]) == 5
    assert [w[0] for w in windows(instrument)] == ["pump@lab"]
    assert list(BlackoutCalendar.objects.values_list("pk", flat=True)) == [kept["calendar"]]


def test_a_new_empty_calendar_is_refused(frozen, manager, instrument):
    with pytest.raises(Invalid) as err:
        sync(manager, instrument, ics(name="空"))
    assert err.value.code == "ics_empty"
    assert not BlackoutCalendar.objects.exists()
