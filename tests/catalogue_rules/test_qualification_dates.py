"""A qualification is checked for the booked session's day, refusals say why and whom to
ask, a grant by e-mail does not reveal accounts, and the lab sees and can cancel the future
bookings a lapsed qualification no longer covers."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from accounts.models import ProviderProfile
from booking.models import Booking, StateChange
from booking.services.bookings import booking_create
from booking.training import check_training_occurrences
from config.errors import Invalid
from facilities.models import Instrument, Qualification
from facilities.services import qualification_grant, qualification_revoke
from tests.factories.accounts import UserFactory, join, make_firm, make_provider, member_of
from tests.factories.booking import BookingFactory, at, qualify
from tests.factories.facilities import InstrumentFactory

pytestmark = pytest.mark.django_db

NOW = at(dt.date(2026, 11, 30), 12)  # Monday 30 November 2026
END_OF_YEAR = dt.date(2026, 12, 31)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def gated(provider):
    return InstrumentFactory(provider=provider, requires_training=True,
                             contact_name="王老师", contact_phone="0571-88000001")  # fmt: skip


def book(user, firm, instrument, day, hour=9):
    return booking_create(actor=user, firm=firm, instrument=instrument, start_at=at(day, hour),
                          end_at=at(day, hour + 1), purpose="XRD")  # fmt: skip


def test_a_qualification_ending_31_december_does_not_cover_12_january(frozen, alice, firm_a, gated):
    qualify(alice, gated, expires_on=END_OF_YEAR)
    assert book(alice, firm_a, gated, dt.date(2026, 12, 31)).pk  # its last day still counts
    with pytest.raises(Invalid) as info:
        book(alice, firm_a, gated, dt.date(2027, 1, 12))
    assert info.value.code == "qualification_ends_before"
    message = str(info.value.message)
    assert "2026-12-31" in message and "2027-01-12" in message
    assert "王老师 (0571-88000001)" in message


def test_an_expired_qualification_says_when_it_expired(frozen, alice, firm_a, gated):
    qualify(alice, gated, expires_on=dt.date(2026, 11, 20))
    with pytest.raises(Invalid) as info:
        book(alice, firm_a, gated, dt.date(2026, 12, 1))
    assert info.value.code == "qualification_expired"
    assert "expired on 2026-11-20" in str(info.value.message)


def test_without_an_instrument_contact_the_providers_is_named(frozen, alice, firm_a, provider):
    ProviderProfile.objects.filter(organisation=provider).update(
        contact_name="李主任", contact_phone="0571-88000002"
    )
    gated = InstrumentFactory(provider=provider, requires_training=True, contact_name="",
                              contact_phone="", contact_email="")  # fmt: skip
    with pytest.raises(Invalid) as info:
        book(alice, firm_a, gated, dt.date(2026, 12, 1))
    assert info.value.code == "training_required"
    assert "李主任 (0571-88000002)" in str(info.value.message)


def test_the_api_refusal_carries_the_code_and_the_date(frozen, api_client, alice, firm_a, gated):
    qualify(alice, gated, expires_on=END_OF_YEAR)
    r = api_client(alice).post("/api/v1/bookings/", {
        "instrument": gated.pk, "firm": firm_a.pk, "purpose": "XRD",
        "start": at(dt.date(2027, 1, 12), 9).isoformat(),
        "end": at(dt.date(2027, 1, 12), 10).isoformat(),
    }, format="json")  # fmt: skip
    assert r.status_code == 400
    assert r.json()["code"] == "qualification_ends_before"
    assert "2026-12-31" in r.json()["fields"]["instrument"][0]


def test_every_occurrence_of_a_series_is_checked_in_one_query(
    frozen, alice, gated, django_assert_num_queries
):
    qualify(alice, gated, expires_on=END_OF_YEAR)
    weekly = [(at(dt.date(2026, 12, 1) + dt.timedelta(weeks=w), 9),
               at(dt.date(2026, 12, 1) + dt.timedelta(weeks=w), 10)) for w in range(8)]  # fmt: skip
    with django_assert_num_queries(1), pytest.raises(Invalid) as info:
        check_training_occurrences(gated, alice, weekly)
    assert "2027-01-05" in str(info.value.message)  # the first week past the qualification
    check_training_occurrences(gated, alice, weekly[:5])  # through 29 December: fine


class TestGrantByEmail:
    def test_unknown_and_elsewhere_addresses_get_the_same_answer(self, frozen, manager, gated,
                                                                 api_client):  # fmt: skip
        member_of(make_firm(), email="exists@elsewhere.cn")
        url = f"/api/v1/instruments/{gated.pk}/qualifications/"
        known = api_client(manager).post(url, {"email": "exists@elsewhere.cn"}, format="json")
        unknown = api_client(manager).post(url, {"email": "nobody@nowhere.cn"}, format="json")
        assert known.status_code == unknown.status_code == 201
        strip = lambda body: {k: v for k, v in body.items() if k not in ("id", "user_email")}  # noqa: E731
        assert strip(known.json()) == strip(unknown.json())
        assert known.json()["user"] is None and known.json()["held_by_address"] is True

    def test_the_page_answers_alike_too(self, frozen, manager, gated, client_of):
        member_of(make_firm(), email="exists@elsewhere.cn")
        c = client_of(manager)
        url = f"/lab/instruments/{gated.pk}/qualifications/"
        for email in ("exists@elsewhere.cn", "nobody@nowhere.cn"):
            r = c.post(url, {"email": email}, follow=True)
            assert r.status_code == 200
            assert f"Qualification recorded for {email}." in r.content.decode()

    def test_a_grant_by_address_lets_that_person_book(self, frozen, manager, gated):
        newcomer = UserFactory(email="newcomer@firm.cn")
        firm = make_firm()
        join(newcomer, firm)
        qualification_grant(actor=manager, instrument=gated, email=" NewComer@Firm.cn ",
                            expires_on=END_OF_YEAR)  # fmt: skip
        assert book(newcomer, firm, gated, dt.date(2026, 12, 2)).pk
        with pytest.raises(Invalid):
            book(newcomer, firm, gated, dt.date(2027, 1, 5))

    def test_granting_the_same_address_twice_renews_it(self, frozen, manager, gated):
        first = qualification_grant(actor=manager, instrument=gated, email="a@b.cn")
        again = qualification_grant(actor=manager, instrument=gated, email="A@B.cn",
                                    expires_on=END_OF_YEAR)  # fmt: skip
        assert first.pk == again.pk
        assert Qualification.objects.get().expires_on == END_OF_YEAR


class TestUncoveredBookings:
    @pytest.fixture
    def booked(self, frozen, manager, alice, firm_a, gated):
        BookingFactory(instrument=InstrumentFactory(provider=gated.provider), firm=firm_a,
                       booked_by=alice)  # alice is a client: granted by account  # fmt: skip
        q = qualification_grant(actor=manager, instrument=gated, user=alice.pk)
        soon = book(alice, firm_a, gated, dt.date(2026, 12, 3))
        later = book(alice, firm_a, gated, dt.date(2027, 1, 12))
        return q, soon, later

    def test_revoking_shows_the_future_bookings_to_the_manager(self, booked, manager, gated,
                                                               client_of, api_client):  # fmt: skip
        q, soon, later = booked
        url = f"/api/v1/uncovered-bookings/?instrument={gated.pk}"
        assert api_client(manager).get(url).json() == []
        qualification_revoke(actor=manager, qualification=q)
        ids = [b["id"] for b in api_client(manager).get(url).json()]
        assert ids == [soon.pk, later.pk]
        page = client_of(manager).get(f"/lab/instruments/{gated.pk}/qualifications/")
        assert 'data-testid="uncovered"' in page.content.decode()
        assert f"/uncovered/{later.pk}/cancel/" in page.content.decode()

    def test_an_expiring_qualification_shows_only_the_bookings_past_it(
        self, booked, manager, gated, api_client
    ):
        q, soon, later = booked
        Qualification.objects.filter(pk=q.pk).update(expires_on=END_OF_YEAR)
        rows = api_client(manager).get(f"/api/v1/uncovered-bookings/?instrument={gated.pk}")
        assert [b["id"] for b in rows.json()] == [later.pk]

    def test_the_manager_cancels_one_with_a_reason(self, booked, manager, gated, api_client,
                                                   alice):  # fmt: skip
        q, soon, later = booked
        Qualification.objects.filter(pk=q.pk).update(expires_on=END_OF_YEAR)
        url = f"/api/v1/uncovered-bookings/{later.pk}/cancel/"
        missing = api_client(manager).post(url, {"reason": " "}, format="json")
        assert (missing.status_code, missing.json()["code"]) == (400, "reason_required")
        r = api_client(manager).post(url, {"reason": "培训已过期"}, format="json")
        assert r.status_code == 200, r.json()
        assert r.json()["status"] == "cancelled"
        change = StateChange.objects.get(booking=later, to_status="cancelled")
        assert (change.actor, change.reason) == (manager, "培训已过期")
        # a covered booking is not the lab's to cancel this way
        covered = api_client(manager).post(f"/api/v1/uncovered-bookings/{soon.pk}/cancel/",
                                           {"reason": "x"}, format="json")  # fmt: skip
        assert covered.status_code == 404
        assert Booking.objects.get(pk=soon.pk).status == "approved"

    def test_another_providers_manager_gets_404(self, booked, gated, api_client):
        q, soon, later = booked
        Qualification.objects.filter(pk=q.pk).update(revoked_at=timezone.now())
        stranger = UserFactory()
        join(stranger, make_provider(), admin=True)
        r = api_client(stranger).post(f"/api/v1/uncovered-bookings/{later.pk}/cancel/",
                                      {"reason": "x"}, format="json")  # fmt: skip
        assert r.status_code == 404
        listing = api_client(stranger).get(f"/api/v1/uncovered-bookings/?instrument={gated.pk}")
        assert listing.status_code == 404

    def test_revoking_on_the_page_says_how_many_bookings_it_leaves(self, booked, manager, gated,
                                                                     client_of):  # fmt: skip
        q, soon, later = booked
        url = f"/lab/instruments/{gated.pk}/qualifications/{q.pk}/revoke/"
        r = client_of(manager).post(url, follow=True)
        assert "2 future bookings are no longer covered" in r.content.decode()

    def test_the_page_cancels_too(self, booked, manager, gated, client_of):
        q, soon, later = booked
        qualification_revoke(actor=manager, qualification=q)
        r = client_of(manager).post(f"/lab/instruments/{gated.pk}/uncovered/{soon.pk}/cancel/",
                                    {"reason": "资格已撤销"}, follow=True)  # fmt: skip
        assert r.status_code == 200
        assert Booking.objects.get(pk=soon.pk).status == "cancelled"
        assert Instrument.objects.filter(pk=gated.pk).exists()
