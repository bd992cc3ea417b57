"""Due dates count China's official working days from a table the administrator keeps,
and stay sensible (statutory holidays skipped, marked provisional) for a year not announced."""

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command

from booking.holiday_seed import seed_schedules
from booking.models import Festival, HolidaySchedule, OfficialDay, ServiceRequest
from booking.statutory_holidays import statutory_holidays
from booking.working_days import add_working_days, is_working_day, working_days_due
from tests.factories.accounts import UserFactory
from tests.factories.facilities import TestingServiceFactory
from tests.factories.service_requests import ServiceRequestFactory

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 12, 2, 10, tzinfo=dt.UTC)  # Wednesday 2 December 2026


def test_the_migration_seeded_the_years_chinesecalendar_knows():
    assert HolidaySchedule.objects.filter(year=2026, source="chinesecalendar").exists()
    national_day = OfficialDay.objects.get(date=dt.date(2026, 10, 1))
    assert (national_day.kind, national_day.festival) == ("holiday", Festival.NATIONAL_DAY)
    assert OfficialDay.objects.get(date=dt.date(2026, 10, 10)).kind == "workday"  # 调休
    assert not HolidaySchedule.objects.filter(year=2027).exists()


def test_a_22_working_day_turnaround_accepted_today_skips_new_years_day():
    """Was: due on Friday 1 January 2027, a statutory holiday."""
    due = working_days_due(dt.date(2026, 12, 2), 22)
    assert due.on == dt.date(2027, 1, 4)  # 1 Jan off, 2–3 Jan weekend
    assert due.provisional


def test_the_2027_spring_festival_week_is_not_counted_before_it_is_announced():
    # 春节 2027: 除夕 5 Feb (Fri) … 初三 8 Feb (Mon); 9 Feb is the first working day.
    assert not is_working_day(dt.date(2027, 2, 5))
    assert not is_working_day(dt.date(2027, 2, 8))
    assert add_working_days(dt.date(2027, 2, 4), 1) == dt.date(2027, 2, 9)


def test_statutory_holidays_of_an_unannounced_year_follow_the_lunar_calendar():
    days = statutory_holidays(2027)
    assert days[dt.date(2027, 1, 1)] == Festival.NEW_YEAR
    assert days[dt.date(2027, 2, 6)] == Festival.SPRING_FESTIVAL  # 正月初一
    assert days[dt.date(2027, 4, 5)] == Festival.TOMB_SWEEPING  # 清明 solar term
    assert {dt.date(2027, 5, 1), dt.date(2027, 5, 2)} <= days.keys()
    assert days[dt.date(2027, 6, 9)] == Festival.DRAGON_BOAT  # 五月初五
    assert days[dt.date(2027, 9, 15)] == Festival.MID_AUTUMN  # 八月十五
    assert [d for d, f in days.items() if f == Festival.NATIONAL_DAY] == [
        dt.date(2027, 10, d) for d in (1, 2, 3)
    ]
    assert len(days) == 13  # the statutory 13 days since 2025


def test_an_announced_schedule_is_followed_and_makes_the_date_final():
    schedule = HolidaySchedule.objects.create(year=2027, note="国办发明电〔2026〕X号")
    for day in (1, 2, 3):
        OfficialDay.objects.create(schedule=schedule, date=dt.date(2027, 1, day),
                                   kind="holiday", festival=Festival.NEW_YEAR)  # fmt: skip
    # An adjusted working Saturday, 9 January (made up for the example).
    OfficialDay.objects.create(schedule=schedule, date=dt.date(2027, 1, 9), kind="workday",
                               festival=Festival.NEW_YEAR)  # fmt: skip
    assert is_working_day(dt.date(2027, 1, 9))
    due = working_days_due(dt.date(2027, 1, 7), 2)  # Thu → Fri 8, Sat 9 (worked)
    assert (due.on, due.provisional) == (dt.date(2027, 1, 9), False)
    # The statutory fallback no longer applies: the schedule says what is off.
    assert is_working_day(dt.date(2027, 2, 5))


def test_seeding_again_adds_nothing_and_keeps_the_administrators_edits():
    edited = OfficialDay.objects.get(date=dt.date(2026, 10, 10))
    edited.kind = "holiday"
    edited.save()
    assert seed_schedules(HolidaySchedule, OfficialDay) == []
    call_command("holidays_seed")
    assert OfficialDay.objects.get(date=dt.date(2026, 10, 10)).kind == "holiday"
    assert not is_working_day(dt.date(2026, 10, 10))


def test_accepting_in_late_december_gives_a_provisional_due_date(api_client, manager, provider):
    service = TestingServiceFactory(provider=provider, turnaround_days=22)
    sr = ServiceRequestFactory(service=service)
    # the quote and the due date use the same count
    with time_machine.travel(TODAY, tick=False):
        r = api_client(manager).post(f"/api/v1/service-requests/{sr.pk}/accept/", {},
                                     format="json")  # fmt: skip
    assert r.status_code == 200, r.json()
    assert (r.json()["due_on"], r.json()["due_on_provisional"]) == ("2027-01-04", True)
    sr.refresh_from_db()
    assert sr.due_on_provisional


def test_the_quote_says_provisional_on_the_api_and_the_page(api_client, alice, provider):
    service = TestingServiceFactory(provider=provider, turnaround_days=22)
    with time_machine.travel(TODAY, tick=False):
        r = api_client(alice).get("/api/v1/service-requests/quote/",
                                  {"service": service.pk, "samples": 2})  # fmt: skip
    assert r.status_code == 200, r.json()
    assert r.json()["estimated_due_on"] == "2027-01-04"
    assert r.json()["estimated_due_provisional"] is True


def test_the_firms_request_page_marks_the_due_date_provisional(client_of, alice, provider):
    sr = ServiceRequestFactory(
        service=TestingServiceFactory(provider=provider),
        firm=alice.memberships.get().organisation,
        requested_by=alice,
        status=ServiceRequest.Status.ACCEPTED,
        due_on=dt.date(2027, 1, 4),
        due_on_provisional=True,
    )
    page = client_of(alice).get(f"/testing-requests/{sr.pk}/").content.decode()
    assert "2027-01-04" in page
    assert "provisional" in page


def test_the_admin_edits_a_years_schedule(client_of):
    admin = UserFactory(is_staff=True, is_superuser=True)
    c = client_of(admin)
    assert c.get("/admin/booking/holidayschedule/").status_code == 200
    r = c.post("/admin/booking/holidayschedule/add/", {
        "year": "2027", "source": "admin", "note": "国办发明电",
        "days-TOTAL_FORMS": "1", "days-INITIAL_FORMS": "0",
        "days-0-date": "2027-01-01", "days-0-kind": "holiday", "days-0-festival": "new_year",
    })  # fmt: skip
    assert r.status_code == 302, r.content.decode()[:2000]
    assert OfficialDay.objects.get(date=dt.date(2027, 1, 1)).schedule_id == 2027
