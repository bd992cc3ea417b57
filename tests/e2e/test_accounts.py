"""The demo firm user signs in with the real browser and sees their firm's home."""

import importlib

import pytest

from accounts import demo

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def reference_data():
    """The flush after a transactional test also removes the regions and size rules that a
    data migration loaded; put them back (the migration's own loader, so nothing drifts)."""
    from django.apps import apps

    from accounts.models import Region

    if not Region.objects.exists():
        importlib.import_module("accounts.migrations.0002_reference_data").load(apps, None)


def test_demo_firm_user_signs_in_and_sees_the_firm(page, sign_in):
    demo.seed()
    sign_in(demo.FIRM_EMAIL, demo.DEMO_PASSWORD)
    assert page.url.endswith("/home/")
    firm_panel = page.get_by_test_id("home-firm")
    assert demo.DEMO_FIRM_NAME in firm_panel.inner_text()


def test_reviewer_verifies_a_pending_firm_from_the_queue(page, sign_in):
    demo.seed()
    sign_in(demo.DEPT_EMAIL, demo.DEMO_PASSWORD)
    page.goto("/review/firms/")
    rows = page.get_by_test_id("queue-firm")
    before = rows.count()
    assert before >= 2
    first_id = rows.first.get_attribute("id")
    rows.first.get_by_test_id("verify-button").click()
    page.locator(f"#{first_id} .status-verified").wait_for()
    page.reload()
    assert page.get_by_test_id("queue-firm").count() == before - 1
