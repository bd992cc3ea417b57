"""The waitlist: join a taken range, offers when it frees (cancel, reject, no-show, early
check-out), the first claim books through booking_create, others are told; expiry by beat;
through the service, the API and the pages."""

import datetime as dt

import pytest
from django.core import mail
from rest_framework.test import APIClient

from booking.models import Booking, Notification, StateChange, WaitlistEntry
from booking.services import bookings as booking_services
from booking.services import waitlist as services
from booking.tasks.waitlist import expire_waitlist_offers
from config.errors import Conflict
from tests.booking.conftest import DAY, NOW
from tests.conftest import client_for
from tests.factories.accounts import make_firm, member_of
from tests.factories.booking import BookingFactory, at

pytestmark = pytest.mark.django_db
W = WaitlistEntry.Status
B = Booking.Status


@pytest.fixture
def carol():
    return member_of(make_firm(), email="carol@example.cn")


@pytest.fixture
def taken(frozen, alice, instrument):
    """Alice's firm holds DAY 09:00–11:00 (booked through the service; cancellable until
    two hours before)."""
    instrument.cancel_cutoff_hours = 2
    instrument.save(update_fields=["cancel_cutoff_hours"])
    return booking_services.booking_create(
        actor=alice, firm=alice.memberships.get().organisation, instrument=instrument,
        start_at=at(DAY, 9), end_at=at(DAY, 11), purpose="XRD",
    )  # fmt: skip


def join(user, instrument, start=9, end=11):
    return services.waitlist_join(
        actor=user, firm=user.memberships.get().organisation, instrument=instrument,
        start_at=at(DAY, start), end_at=at(DAY, end), purpose="FTIR",
    )  # fmt: skip


def conflict(code, fn, **kwargs):
    with pytest.raises(Conflict) as caught:
        fn(**kwargs)
    assert caught.value.code == code, caught.value.message


def test_joining_a_taken_range_waits_in_line(taken, bob, carol, instrument):
    first, second = join(bob, instrument), join(carol, instrument)
    assert (first.status, second.status) == (W.WAITING, W.WAITING)
    assert list(WaitlistEntry.objects.values_list("pk", flat=True)) == [first.pk, second.pk]


def test_a_free_range_is_booked_not_waited_for(frozen, bob, instrument):
    conflict("slot_free", join, user=bob, instrument=instrument)
    assert not WaitlistEntry.objects.exists()


def test_a_firm_cannot_wait_twice_nor_for_its_own_booking(taken, alice, bob, instrument):
    join(bob, instrument)
    conflict("already_waiting", join, user=bob, instrument=instrument)
    conflict("own_booking", join, user=alice, instrument=instrument)
    assert WaitlistEntry.objects.count() == 1


def test_joining_obeys_the_booking_rules(taken, bob, instrument):
    from config.errors import Invalid

    with pytest.raises(Invalid) as caught:
        join(bob, instrument, start=6, end=8)  # before opening hours
    assert caught.value.code == "outside_opening_hours"


def test_cancelling_offers_the_range_to_every_waiting_firm_with_a_window(
    taken, alice, bob, carol, instrument, settings, django_capture_on_commit_callbacks
):
    settings.BOOKING_WAITLIST_CLAIM_MINUTES = 45
    b, c = join(bob, instrument), join(carol, instrument, start=10, end=11)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        booking_services.booking_cancel(actor=alice, booking=taken, reason="plans changed")
    b.refresh_from_db()
    c.refresh_from_db()
    assert (b.status, c.status) == (W.OFFERED, W.OFFERED)
    assert b.offer_expires_at == NOW + dt.timedelta(minutes=45)
    offered = Notification.objects.filter(kind="waitlist_offered")
    assert sorted(n.user_id for n in offered) == sorted([bob.pk, carol.pk])
    sent = [m for m in mail.outbox if m.to in ([bob.email], [carol.email])]
    assert len(sent) == 2
    assert all(instrument.name in m.subject and "2026-12-01" in m.body for m in sent)


def test_the_first_claim_books_and_the_others_are_told(taken, alice, bob, carol, instrument):
    b, c = join(bob, instrument), join(carol, instrument)
    booking_services.booking_cancel(actor=alice, booking=taken, reason="plans changed")
    b.refresh_from_db()
    booking = services.waitlist_claim(actor=bob, entry=b)
    assert booking.firm_id == b.firm_id and booking.status == B.APPROVED
    assert (booking.start_at, booking.end_at) == (at(DAY, 9), at(DAY, 11))
    # The normal create path: its history row and its quote.
    assert StateChange.objects.filter(booking=booking, from_status="", actor=bob).exists()
    assert booking.quote_fen == 400_00
    b.refresh_from_db()
    c.refresh_from_db()
    assert (b.status, b.booking_id) == (W.CLAIMED, booking.pk)
    assert c.status == W.WAITING and c.offer_expires_at is None
    assert Notification.objects.filter(user=carol, kind="waitlist_taken").count() == 1
    conflict("offer_not_open", services.waitlist_claim, actor=carol, entry=c)
    assert Booking.objects.filter(status__in=Booking.LIVE).count() == 1


def test_a_claim_after_the_window_is_refused_and_beat_expires_the_offer(
    frozen, taken, alice, bob, instrument, settings
):
    entry = join(bob, instrument)
    booking_services.booking_cancel(actor=alice, booking=taken, reason="plans changed")
    entry.refresh_from_db()
    frozen.shift(dt.timedelta(minutes=settings.BOOKING_WAITLIST_CLAIM_MINUTES, seconds=1))
    conflict("offer_expired", services.waitlist_claim, actor=bob, entry=entry)
    assert expire_waitlist_offers() == 1
    assert expire_waitlist_offers() == 0  # idempotent
    entry.refresh_from_db()
    assert entry.status == W.EXPIRED
    assert Notification.objects.filter(user=bob, kind="waitlist_expired").count() == 1
    assert not Booking.objects.filter(firm_id=entry.firm_id).exists()


def test_offered_time_is_held_against_direct_booking_until_the_window_closes(
    frozen, taken, alice, bob, carol, instrument, settings
):
    entry = join(bob, instrument)
    booking_services.booking_cancel(actor=alice, booking=taken, reason="plans changed")
    entry.refresh_from_db()
    carol_firm = carol.memberships.get().organisation
    direct = {"actor": carol, "firm": carol_firm, "instrument": instrument,
              "start_at": at(DAY, 9), "end_at": at(DAY, 10), "purpose": "walk-in"}  # fmt: skip
    with pytest.raises(Conflict) as caught:
        booking_services.booking_create(**direct)
    assert caught.value.code == "held_for_waitlist"
    assert caught.value.data["held_until"] == entry.offer_expires_at.isoformat()
    assert "12-01" in str(caught.value.message) or "2026" in str(caught.value.message)
    # Time next to the offer is not held.
    booking_services.booking_create(**{**direct, "start_at": at(DAY, 11), "end_at": at(DAY, 12)})
    # The offered firm claims normally.
    booking = services.waitlist_claim(actor=bob, entry=entry)
    assert booking.firm_id == entry.firm_id


def test_held_time_frees_when_the_window_passes(frozen, taken, alice, bob, carol, instrument,
                                                settings):  # fmt: skip
    entry = join(bob, instrument)
    booking_services.booking_cancel(actor=alice, booking=taken, reason="plans changed")
    frozen.shift(dt.timedelta(minutes=settings.BOOKING_WAITLIST_CLAIM_MINUTES, seconds=1))
    booking = booking_services.booking_create(
        actor=carol, firm=carol.memberships.get().organisation, instrument=instrument,
        start_at=at(DAY, 9), end_at=at(DAY, 10), purpose="walk-in",
    )  # fmt: skip
    assert booking.status == B.APPROVED
    entry.refresh_from_db()
    conflict("offer_expired", services.waitlist_claim, actor=bob, entry=entry)


def test_two_firms_offered_overlapping_time_may_each_claim_it(taken, alice, bob, carol,
                                                              instrument):  # fmt: skip
    b, c = join(bob, instrument), join(carol, instrument, start=10, end=11)
    booking_services.booking_cancel(actor=alice, booking=taken, reason="plans changed")
    c.refresh_from_db()
    booking = services.waitlist_claim(actor=carol, entry=c)  # not refused by bob's offer
    assert booking.firm_id == c.firm_id
    b.refresh_from_db()
    assert b.status == W.WAITING
    conflict("offer_not_open", services.waitlist_claim, actor=bob, entry=b)


def test_a_move_onto_held_time_is_refused(taken, alice, bob, carol, instrument):
    from booking.services.booking_moves import booking_move

    join(bob, instrument)
    other = booking_services.booking_create(
        actor=carol, firm=carol.memberships.get().organisation, instrument=instrument,
        start_at=at(DAY, 14), end_at=at(DAY, 15), purpose="XRD",
    )  # fmt: skip
    booking_services.booking_cancel(actor=alice, booking=taken, reason="plans changed")
    conflict("held_for_waitlist", booking_move, actor=carol, booking=other,
             start_at=at(DAY, 9), end_at=at(DAY, 10))  # fmt: skip


def test_beat_closes_waiting_entries_whose_time_has_passed(frozen, taken, bob, carol,
                                                           instrument):  # fmt: skip
    entry = join(bob, instrument)
    later = join(carol, instrument, start=10, end=11)
    frozen.move_to(at(DAY, 10, 1))
    assert expire_waitlist_offers() == 2
    assert expire_waitlist_offers() == 0
    entry.refresh_from_db()
    later.refresh_from_db()
    assert (entry.status, later.status) == (W.EXPIRED, W.EXPIRED)
    assert not Notification.objects.filter(kind="waitlist_expired").exists()


def test_the_waitlist_page_shows_a_passed_entry_as_expired(frozen, taken, bob, instrument):
    join(bob, instrument)
    frozen.move_to(at(DAY, 9, 1))
    expire_waitlist_offers()
    body = client_for(bob).get("/waitlist/").content.decode()
    assert "Expired: the time has passed" in body


def test_rejection_and_no_show_free_the_range(frozen, alice, bob, manager, instrument):
    instrument.requires_approval = True
    instrument.save()
    requested = BookingFactory(instrument=instrument, status=B.REQUESTED,
                               start_at=at(DAY, 9), end_at=at(DAY, 11))  # fmt: skip
    entry = join(bob, instrument)
    booking_services.booking_reject(actor=manager, booking=requested, reason="maintenance")
    entry.refresh_from_db()
    assert entry.status == W.OFFERED

    approved = BookingFactory(instrument=instrument, start_at=at(DAY, 13), end_at=at(DAY, 16))
    later = join(bob, instrument, start=15, end=16)
    frozen.move_to(at(DAY, 13, 40))
    booking_services.booking_mark_no_show(actor=manager, booking=approved)
    later.refresh_from_db()
    assert later.status == W.OFFERED  # 15:00–16:00 lies in the freed rest


def test_an_early_check_out_offers_only_the_unused_rest(frozen, bob, carol, manager, instrument):
    booking = BookingFactory(instrument=instrument, start_at=at(DAY, 9), end_at=at(DAY, 13))
    rest = join(bob, instrument, start=11, end=13)
    used = join(carol, instrument, start=9, end=11)
    frozen.move_to(at(DAY, 9))
    booking_services.booking_check_in(actor=manager, booking=booking)
    frozen.move_to(at(DAY, 10, 30))
    booking_services.booking_check_out(actor=manager, booking=booking)
    rest.refresh_from_db()
    used.refresh_from_db()
    assert rest.status == W.OFFERED
    assert used.status == W.WAITING  # its start has passed: nothing to offer


def test_leaving_takes_the_firm_off_the_list(taken, alice, bob, instrument):
    entry = join(bob, instrument)
    services.waitlist_leave(actor=bob, entry=entry)
    booking_services.booking_cancel(actor=alice, booking=taken, reason="plans changed")
    entry.refresh_from_db()
    assert entry.status == W.LEFT
    assert not Notification.objects.filter(kind="waitlist_offered").exists()


# --- API ---------------------------------------------------------------------------


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_api_join_claim_and_errors(taken, alice, bob, carol, instrument):
    body = {"instrument": instrument.pk, "start": at(DAY, 9).isoformat(),
            "end": at(DAY, 11).isoformat(), "purpose": "XRD"}  # fmt: skip
    response = api(bob).post("/api/v1/waitlist/", body, format="json")
    assert response.status_code == 201, response.json()
    entry_id = response.json()["id"]
    assert response.json()["status"] == "waiting"
    again = api(bob).post("/api/v1/waitlist/", body, format="json")
    assert again.status_code == 409 and again.json()["code"] == "already_waiting"
    free = api(bob).post("/api/v1/waitlist/", body | {"start": at(DAY, 14).isoformat(),
                                                      "end": at(DAY, 15).isoformat()},
                         format="json")  # fmt: skip
    assert free.status_code == 409 and free.json()["code"] == "slot_free"
    early = api(bob).post(f"/api/v1/waitlist/{entry_id}/claim/", {}, format="json")
    assert early.status_code == 409 and early.json()["code"] == "offer_not_open"
    assert api(carol).get(f"/api/v1/waitlist/{entry_id}/").status_code == 404
    assert api(carol).post(f"/api/v1/waitlist/{entry_id}/claim/").status_code == 404
    booking_services.booking_cancel(actor=alice, booking=taken, reason="plans changed")
    claimed = api(bob).post(f"/api/v1/waitlist/{entry_id}/claim/", {}, format="json")
    assert claimed.status_code == 201, claimed.json()
    assert claimed.json()["status"] == "approved"
    assert claimed.json()["firm"] == bob.memberships.get().organisation_id
    listing = api(bob).get("/api/v1/waitlist/").json()
    assert [e["status"] for e in listing["results"]] == ["claimed"]


def test_api_leave(taken, bob, instrument):
    entry = join(bob, instrument)
    response = api(bob).post(f"/api/v1/waitlist/{entry.pk}/leave/")
    assert response.status_code == 200 and response.json()["status"] == "left"
    again = api(bob).post(f"/api/v1/waitlist/{entry.pk}/leave/")
    assert again.status_code == 409 and again.json()["code"] == "not_on_waitlist"


# --- pages -------------------------------------------------------------------------


def test_page_join_shows_the_place_and_claims(taken, alice, bob, carol, instrument):
    settings_lang = {"HTTP_ACCEPT_LANGUAGE": "en"}
    join(carol, instrument)
    client = client_for(bob)
    response = client.post(
        f"/instruments/{instrument.pk}/waitlist/",
        {"waitlist-start": "2026-12-01T09:00", "waitlist-end": "2026-12-01T11:00",
         "waitlist-purpose": "XRD"}, **settings_lang,
    )  # fmt: skip
    assert response.status_code == 302 and response.url == "/waitlist/"
    page = client.get("/waitlist/").content.decode()
    assert "Place 2 in line" in page
    booking_services.booking_cancel(actor=alice, booking=taken, reason="plans changed")
    page = client.get("/waitlist/").content.decode()
    assert 'data-testid="claim"' in page
    entry = WaitlistEntry.objects.get(joined_by=bob)
    response = client.post(f"/waitlist/{entry.pk}/claim/")
    booking = Booking.objects.get(firm_id=entry.firm_id)
    assert response.status_code == 302 and response.url == f"/bookings/{booking.pk}/"


def test_page_join_refusal_keeps_the_input_and_says_why(frozen, bob, instrument):
    response = client_for(bob).post(
        f"/instruments/{instrument.pk}/waitlist/",
        {"waitlist-start": "2026-12-01T09:00", "waitlist-end": "2026-12-01T11:00",
         "waitlist-purpose": "XRD spectra"},
    )  # fmt: skip
    assert response.status_code == 409
    body = response.content.decode()
    assert "This time is free: book it directly." in body and "XRD spectra" in body
    assert 'value="2026-12-01T09:00"' in body


def test_another_firms_entry_is_not_found_on_the_pages(taken, bob, carol, instrument):
    entry = join(bob, instrument)
    assert client_for(carol).post(f"/waitlist/{entry.pk}/claim/").status_code == 404
    assert client_for(carol).post(f"/waitlist/{entry.pk}/leave/").status_code == 404


def test_waitlist_page_queries_do_not_grow_with_entries(
    frozen, bob, instrument, django_assert_max_num_queries
):
    for hour in range(8, 18):
        BookingFactory(instrument=instrument, start_at=at(DAY, hour),
                       end_at=at(DAY, hour) + dt.timedelta(hours=1))  # fmt: skip
        join(bob, instrument, start=hour, end=hour + 1)
    client = client_for(bob)
    client.get("/waitlist/")
    with django_assert_max_num_queries(14):
        response = client.get("/waitlist/")
    assert response.content.decode().count('data-testid="waitlist-entry"') == 10


def test_a_moved_booking_offers_its_old_range_to_the_waitlist(taken, alice, bob, instrument):
    from booking.services.booking_moves import booking_move

    entry = join(bob, instrument)
    booking_move(actor=alice, booking=taken, start_at=at(DAY, 13), end_at=at(DAY, 15))
    entry.refresh_from_db()
    assert entry.status == W.OFFERED
