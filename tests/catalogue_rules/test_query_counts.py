"""The pages this area added stay flat in queries as their lists grow."""

import datetime as dt

import pytest
import time_machine

from facilities.services import accreditation_create
from tests.factories.accounts import make_firm, member_of
from tests.factories.booking import BookingFactory, at, qualify
from tests.factories.facilities import InstrumentFactory, TestingServiceFactory

pytestmark = pytest.mark.django_db

NOW = at(dt.date(2026, 11, 30), 12)


def test_the_qualifications_page_lists_many_uncovered_bookings_flat(
    provider, manager, client_of, django_assert_max_num_queries
):
    gated = InstrumentFactory(provider=provider, requires_training=True)
    with time_machine.travel(NOW, tick=False):
        for n in range(12):
            firm = make_firm()
            user = member_of(firm)
            qualify(user, gated, expires_on=dt.date(2026, 12, 5))
            start = at(dt.date(2026, 12, 10) + dt.timedelta(days=n), 9)
            BookingFactory(instrument=gated, firm=firm, booked_by=user, start_at=start,
                           end_at=start + dt.timedelta(hours=1))  # fmt: skip
        c = client_of(manager)
        c.get(f"/lab/instruments/{gated.pk}/qualifications/")  # warm the caches
        with django_assert_max_num_queries(25):
            page = c.get(f"/lab/instruments/{gated.pk}/qualifications/").content.decode()
    assert page.count("/cancel/") == 12


def test_the_certificates_page_is_flat_in_services_and_certificates(
    provider, manager, client_of, django_assert_max_num_queries
):
    for n in range(6):
        accreditation_create(actor=manager, provider_id=provider.pk, type="cma",
                             certificate_no=f"2211003400{n}", expires_on=dt.date(2030, 1, 1),
                             scope=f"GB/T 100{n}")  # fmt: skip
    for n in range(30):
        TestingServiceFactory(provider=provider, standards=f"GB/T 100{n % 6}-2020")
    c = client_of(manager)
    c.get("/lab/accreditations/")
    with django_assert_max_num_queries(15):
        r = c.get("/lab/accreditations/")
    assert r.status_code == 200
    assert r.content.decode().count("lab/services/") >= 30
