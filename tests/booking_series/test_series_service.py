import datetime as dt

import pytest

from booking.models import Booking, BookingSeries, Notification, StateChange
from booking.order_events import order_events_subscribe, order_events_unsubscribe
from booking.services.announcements import announcements_deliver
from booking.services.bookings import booking_cancel
from booking.services.series import series_cancel, series_create, series_preview
from booking.services.series_rules import SeriesRule, occurrences, rrule_text
from config.errors import Conflict, Invalid, NotFound
from facilities.models import Blackout
from tests.booking_series.conftest import DAY, NOW, tuesday
from tests.factories.booking import BookingFactory, at

pytestmark = pytest.mark.django_db


def weekly(count=None, until=None, **kw) -> SeriesRule:
    return SeriesRule(frequency="weekly", first_start_at=at(DAY, 9), minutes=120, count=count,
                      until=until, **kw)  # fmt: skip


def test_weekly_rule_expands_to_local_wall_clock_and_stores_rrule():
    rule = weekly(count=3)
    got = occurrences(rule)
    assert got == [(at(tuesday(i), 9), at(tuesday(i), 11)) for i in range(3)]
    assert rrule_text(rule) == "FREQ=WEEKLY;COUNT=3;BYDAY=TU"


def test_every_n_days_and_weekdays_and_until():
    every3 = SeriesRule(frequency="daily", interval=3, first_start_at=at(DAY, 9), minutes=60,
                        count=3)  # fmt: skip
    assert [s for s, _e in occurrences(every3)] == [at(DAY, 9), at(DAY + dt.timedelta(3), 9),
                                                    at(DAY + dt.timedelta(6), 9)]  # fmt: skip
    # Tue 1 Dec → Mon 7 Dec, weekdays only: Tue–Fri and Mon.
    week = SeriesRule(frequency="weekdays", first_start_at=at(DAY, 9), minutes=60,
                      until=DAY + dt.timedelta(days=6))  # fmt: skip
    assert [s.date().isoformat() for s, _e in occurrences(week)] == [
        "2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04", "2026-12-07"]  # fmt: skip


@pytest.mark.parametrize(
    ("rule", "code"),
    [
        (weekly(), "series_end_required"),
        (weekly(count=5, until=DAY), "series_end_required"),
        (weekly(count=999), "too_many_occurrences"),
        (weekly(until=DAY + dt.timedelta(days=3000)), "too_many_occurrences"),
        (SeriesRule(frequency="yearly", first_start_at=at(DAY, 9), minutes=60, count=2),
         "invalid_frequency"),
        (weekly(count=2, weekdays=(9,)), "invalid_weekdays"),
    ],
)  # fmt: skip
def test_bad_rules_are_refused_with_a_code(rule, code):
    with pytest.raises(Invalid) as err:
        occurrences(rule)
    assert err.value.code == code


def test_preview_prices_each_and_marks_clashes_and_rule_breaks(frozen, alice, instrument):
    BookingFactory(instrument=instrument, start_at=at(tuesday(1), 10), end_at=at(tuesday(1), 11))
    Blackout.objects.create(instrument=instrument, start_at=at(tuesday(2), 0),
                            end_at=at(tuesday(3), 0), reason="PM")  # fmt: skip
    preview = series_preview(actor=alice, instrument=instrument, rule=weekly(count=4))
    assert [o.problem for o in preview.occurrences] == ["", "clash", "rule", ""]
    assert preview.occurrences[2].code == "in_blackout"
    assert all(o.quote_fen == 400_00 for o in preview.occurrences)
    assert preview.total_fen == 800_00
    assert Booking.objects.count() == 1  # a preview books nothing


def test_preview_marks_every_untrained_date_from_one_qualification_read(
    frozen, alice, instrument, django_assert_max_num_queries
):
    from tests.factories.booking import qualify

    instrument.requires_training = True
    instrument.save(update_fields=["requires_training"])
    qualify(alice, instrument, expires_on=tuesday(1))  # covers the first two dates only
    with django_assert_max_num_queries(10):  # not one per date (12 dates)
        preview = series_preview(actor=alice, instrument=instrument, rule=weekly(count=12))
    assert [o.problem for o in preview.occurrences] == ["", ""] + ["rule"] * 10
    assert {o.code for o in preview.occurrences[2:]} == {"qualification_ends_before"}


def test_preview_marks_time_held_for_a_waitlist_offer(frozen, alice, bob, instrument):
    from booking.models import WaitlistEntry

    WaitlistEntry.objects.create(
        instrument=instrument, firm=bob.memberships.get().organisation, joined_by=bob,
        start_at=at(tuesday(1), 9), end_at=at(tuesday(1), 11), purpose="x", status="offered",
        offered_at=NOW, offer_expires_at=NOW + dt.timedelta(hours=1),
    )  # fmt: skip
    preview = series_preview(actor=alice, instrument=instrument, rule=weekly(count=3))
    assert [o.code for o in preview.occurrences] == ["", "held_for_waitlist", ""]


def test_all_or_nothing_refuses_the_whole_series_on_one_clash(frozen, alice, firm_a, instrument):
    BookingFactory(instrument=instrument, start_at=at(tuesday(2), 9), end_at=at(tuesday(2), 10))
    with pytest.raises(Conflict) as err:
        series_create(actor=alice, firm=firm_a.pk, instrument=instrument.pk,
                      rule=weekly(count=4), purpose="XRD", mode="all")  # fmt: skip
    assert err.value.code == "slot_taken"
    assert err.value.data["start"].startswith("2026-12-15T09:00")
    assert not BookingSeries.objects.exists()
    assert Booking.objects.filter(firm=firm_a).count() == 0


def test_free_ones_books_the_rest_through_the_create_path(frozen, alice, firm_a, instrument):
    BookingFactory(instrument=instrument, start_at=at(tuesday(2), 9), end_at=at(tuesday(2), 10))
    events = []
    order_events_subscribe("test.series", events.append)
    try:
        result = series_create(actor=alice, firm=firm_a.pk, instrument=instrument.pk,
                               rule=weekly(count=4), purpose="XRD", mode="free")  # fmt: skip
    finally:
        order_events_unsubscribe("test.series")
    assert len(result.booked) == 3
    assert [o.code for o in result.skipped] == ["slot_taken"]
    occurrences_ = Booking.objects.filter(series=result.series).order_by("start_at")
    assert [b.start_at for b in occurrences_] == [at(tuesday(i), 9) for i in (0, 1, 3)]
    assert {b.status for b in occurrences_} == {"approved"}
    # One creation event and one history row per occurrence, as for single bookings.
    assert [e.is_creation for e in events] == [True] * 3
    assert StateChange.objects.filter(booking__series=result.series).count() == 3


def test_nothing_free_is_a_clean_conflict(frozen, alice, firm_a, instrument):
    BookingFactory(instrument=instrument, start_at=at(DAY, 8), end_at=at(DAY, 12))
    with pytest.raises(Conflict) as err:
        series_create(actor=alice, firm=firm_a.pk, instrument=instrument.pk,
                      rule=weekly(count=1), purpose="XRD", mode="free")  # fmt: skip
    assert err.value.code == "no_free_occurrences"
    assert not BookingSeries.objects.exists()


def test_another_firm_cannot_book_a_series_for_a_firm(frozen, bob, firm_a, instrument):
    with pytest.raises(NotFound):
        series_create(actor=bob, firm=firm_a.pk, instrument=instrument.pk,
                      rule=weekly(count=2), purpose="XRD", mode="all")  # fmt: skip


def _series(alice, firm_a, instrument, count=4):
    return series_create(actor=alice, firm=firm_a.pk, instrument=instrument.pk,
                         rule=weekly(count=count), purpose="XRD", mode="all")  # fmt: skip


def test_cancel_one_this_and_following_and_all(frozen, alice, firm_a, instrument):
    result = _series(alice, firm_a, instrument, count=5)
    first, second, third, *_ = result.booked
    booking_cancel(actor=alice, booking=second, reason="holiday")  # one occurrence
    done = series_cancel(actor=alice, series=result.series, reason="project moved",
                         from_booking=third)  # fmt: skip
    assert len(done["cancelled"]) == 3
    statuses = list(Booking.objects.filter(series=result.series).order_by("start_at")
                    .values_list("status", flat=True))  # fmt: skip
    assert statuses == ["approved", "cancelled", "cancelled", "cancelled", "cancelled"]
    # The first starts in 21 h, within the 24 h cut-off: the firm can no longer cancel it.
    done = series_cancel(actor=alice, series=result.series, reason="all off")
    assert done == {"cancelled": [], "kept": [first.pk]}
    assert StateChange.objects.filter(booking=third, to_status="cancelled").get().reason == (
        "project moved"
    )


def test_series_cancel_keeps_occurrences_past_the_cut_off(frozen, alice, firm_a, instrument):
    result = _series(alice, firm_a, instrument, count=2)
    frozen.move_to(at(DAY, 6))  # the first is 3 h away, within the 24 h cut-off
    done = series_cancel(actor=alice, series=result.series, reason="stop")
    assert done["kept"] == [result.booked[0].pk]
    assert done["cancelled"] == [result.booked[1].pk]


def test_a_lab_manager_cancels_a_series_without_cut_off(frozen, alice, manager, firm_a, instrument):
    result = _series(alice, firm_a, instrument, count=2)
    frozen.move_to(at(DAY, 0))
    done = series_cancel(actor=manager, series=result.series, reason="instrument broken")
    assert len(done["cancelled"]) == 2


def test_a_series_is_announced_once_not_per_occurrence(frozen, alice, manager, firm_a, instrument):
    result = _series(alice, firm_a, instrument, count=6)
    announcements_deliver()
    assert Notification.objects.filter(user=manager).count() == 1
    assert Notification.objects.filter(user=alice).count() == 1
    assert f"#{result.series.pk}" in Notification.objects.get(user=alice).body  # names it
