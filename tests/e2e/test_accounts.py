"""The demo firm user signs in with the real browser and sees their firm's home."""

import pytest

from accounts import demo
from tests.factories.accounts import ensure_reference_data

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def reference_data():
    ensure_reference_data()


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
