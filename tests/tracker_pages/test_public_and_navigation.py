"""The public summary (no sign-in, no personal data) and the menu entries per hat."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def test_public_summary_needs_no_sign_in_and_shows_progress_by_city(client, world):
    response = client.get(reverse("frontend:tracker-public"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "三年成长计划：仪器设备开放 5 万台次" in html
    assert "<strong>1</strong> / 50,000" in html  # the 2019 use
    assert "Ningbo" in html
    # Counts only: no firm, no provider, no order.
    assert world["firm_hz"].name not in html and world["firm_nb"].name not in html
    assert world["hz"].name not in html


def test_landing_and_home_carry_the_summary(client, firm_member):
    assert (
        'data-testid="public-summary"' in client.get(reverse("frontend:landing")).content.decode()
    )
    home = client_for(firm_member).get(reverse("frontend:home")).content.decode()
    assert 'data-testid="public-summary"' in home


def test_summary_is_cached(client, world, django_assert_max_num_queries):
    client.get(reverse("frontend:tracker-public"))
    with django_assert_max_num_queries(3):  # session and the page's own; no counter query
        client.get(reverse("frontend:tracker-public"))


def test_menu_entries_per_hat(province_reviewer, hz_manager, firm_member):
    reviewer_html = client_for(province_reviewer).get(reverse("frontend:home")).content.decode()
    for name in ("tracker-dashboard", "tracker-targets", "tracker-providers"):
        assert f'href="{reverse("frontend:" + name)}"' in reviewer_html
    lab_html = client_for(hz_manager).get(reverse("frontend:home")).content.decode()
    assert f'href="{reverse("frontend:tracker-my-statistics")}"' in lab_html
    firm_html = client_for(firm_member).get(reverse("frontend:home")).content.decode()
    assert reverse("frontend:tracker-dashboard") not in firm_html
