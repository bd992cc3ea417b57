"""The public instrument page and the cache of its static part: every edit of something
the page shows must show on the next view, and a cached view costs three queries."""

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Accreditation
from facilities.models import Instrument, OpeningHours, Price
from facilities.page_cache import instrument_page_invalidate
from facilities.services.instruments import (
    instrument_update,
    opening_exception_set,
    opening_hours_set,
    prices_set,
)
from tests.conftest import client_for
from tests.factories.facilities import InstrumentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def instrument(provider):
    return InstrumentFactory(provider=provider, name="傅里叶变换红外光谱仪")


def page(instrument, client=None) -> str:
    resp = (client or Client()).get(reverse("frontend:instrument-detail", args=[instrument.pk]))
    assert resp.status_code == 200
    # the CSRF tokens are the only part that differs between responses
    html = re.sub(r'"X-CSRFToken": "\w+"', "", resp.content.decode())
    return re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", html)


def test_a_cached_view_costs_three_queries(instrument, django_assert_num_queries):
    # instrument, provider (profile, region), category, prices, hours, accreditations,
    # then opening rows and bookings with blackouts for the next free times
    with django_assert_num_queries(8):
        first = page(instrument)
    # instrument, then the next free times
    with django_assert_num_queries(3):
        second = page(instrument)
    assert first == second


def test_cached_and_fresh_views_are_the_same_page(instrument):
    first = page(instrument)
    assert "¥200.00" in first and "08:00–20:00" in first
    assert 'data-testid="provider-card"' in first and 'data-testid="book-button"' in first
    assert page(instrument) == first


def test_it_shows_a_price_change(instrument, manager, django_capture_on_commit_callbacks):
    page(instrument)
    with django_capture_on_commit_callbacks(execute=True):
        prices_set(actor=manager, instrument=instrument,
                   prices={Price.ClientGroup.EXTERNAL_FIRM: 350_00})  # fmt: skip
    html = page(instrument)
    assert "¥350.00" in html and "¥200.00" not in html


def test_it_shows_a_removed_price(instrument, manager, django_capture_on_commit_callbacks):
    page(instrument)
    with django_capture_on_commit_callbacks(execute=True):
        prices_set(actor=manager, instrument=instrument,
                   prices={Price.ClientGroup.EXTERNAL_FIRM: None})  # fmt: skip
    assert "¥200.00" not in page(instrument)


def test_it_shows_new_opening_hours(instrument, manager, django_capture_on_commit_callbacks):
    page(instrument)
    with django_capture_on_commit_callbacks(execute=True):
        opening_hours_set(actor=manager, instrument=instrument,
                          weekly=[(d, dt.time(9), dt.time(17, 30)) for d in range(5)])  # fmt: skip
    html = page(instrument)
    assert '<td class="text-end">09:00–17:30</td>' in html
    assert "08:00–20:00" not in html


def test_it_shows_an_opening_exception_in_the_free_times(
    instrument, manager, django_capture_on_commit_callbacks
):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    label = tomorrow.strftime("%m-%d")
    assert label in page(instrument)
    with django_capture_on_commit_callbacks(execute=True):
        opening_exception_set(actor=manager, instrument=instrument, date=tomorrow)
    assert label not in page(instrument)


def test_it_shows_an_edit_of_the_instrument(
    instrument, manager, django_capture_on_commit_callbacks
):
    page(instrument)
    with django_capture_on_commit_callbacks(execute=True):
        instrument_update(actor=manager, instrument=instrument,
                          specifications="波数范围 7800–350 cm⁻¹")  # fmt: skip
    assert "波数范围 7800–350 cm⁻¹" in page(instrument)


def test_it_shows_a_provider_rename(instrument, provider, django_capture_on_commit_callbacks):
    page(instrument)
    with django_capture_on_commit_callbacks(execute=True):
        provider.name = "浙江省计量科学研究院"
        provider.save(update_fields=["name"])
    assert "浙江省计量科学研究院" in page(instrument)


def test_it_shows_a_new_provider_contact(instrument, provider, django_capture_on_commit_callbacks):
    Instrument.objects.filter(pk=instrument.pk).update(contact_phone="")
    instrument.refresh_from_db()
    page(instrument)
    profile = provider.provider
    with django_capture_on_commit_callbacks(execute=True):
        profile.contact_phone = "0571-88888888"
        profile.save()
    assert "0571-88888888" in page(instrument)


def test_it_shows_accreditations_added_and_removed(
    instrument, provider, django_capture_on_commit_callbacks
):
    page(instrument)
    with django_capture_on_commit_callbacks(execute=True):
        accreditation = Accreditation.objects.create(
            provider=provider.provider, type=Accreditation.Type.CNAS, certificate_no="L12345",
            expires_on=timezone.localdate() + dt.timedelta(days=90),
        )  # fmt: skip
    assert "L12345" in page(instrument)
    with django_capture_on_commit_callbacks(execute=True):
        accreditation.delete()
    assert "L12345" not in page(instrument)


def test_it_shows_a_category_rename(instrument, django_capture_on_commit_callbacks):
    page(instrument)
    category = instrument.category
    with django_capture_on_commit_callbacks(execute=True):
        category.name_zh = "光谱仪器（新）"
        category.name_en = "Spectroscopy (new)"
        category.save()
    assert "Spectroscopy (new)" in page(instrument) or "光谱仪器（新）" in page(instrument)


def test_a_write_without_signals_shows_after_an_explicit_invalidation(
    instrument, django_capture_on_commit_callbacks
):
    page(instrument)
    with django_capture_on_commit_callbacks(execute=True):
        OpeningHours.objects.filter(instrument=instrument).update(opens_at=dt.time(7))
        instrument_page_invalidate(instrument_ids=[instrument.pk])
    html = page(instrument)
    assert '<td class="text-end">07:00–20:00</td>' in html  # the weekly hours table
    assert '<td class="text-end">08:00–20:00</td>' not in html


def test_each_language_gets_its_own_fragment(instrument):
    english = page(instrument)
    chinese = Client(headers={"accept-language": "zh-hans"})
    chinese.cookies["django_language"] = "zh-hans"
    html = page(instrument, chinese)
    assert "Prices per hour" in english
    assert "Prices per hour" not in html


def test_the_edit_button_is_per_visitor(instrument, manager):
    assert "bi-pencil" not in page(instrument)
    assert "bi-pencil" in page(instrument, client_for(manager))
    assert "bi-pencil" not in page(instrument)
