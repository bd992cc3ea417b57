"""The page behaviours that moved out of inline handlers (for the CSP) still work: a
confirmation that can be declined, copying a key, a select that sends its form."""

import pytest

from accounts import demo
from tests.factories.accounts import ensure_reference_data

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def reference_data():
    ensure_reference_data()


def test_token_copy_and_a_revoke_that_asks_first(page, sign_in):
    demo.seed()
    sign_in(demo.FIRM_EMAIL, demo.DEMO_PASSWORD)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto("/account/tokens/")
    page.fill("input[name=name]", "实验室电脑")
    page.locator("form [type=submit]").last.click()
    key = page.get_by_test_id("new-token-key").inner_text().strip()
    page.get_by_test_id("new-token").get_by_role("button").click()
    page.get_by_text("已复制").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == key

    revoke = page.get_by_role("button", name="撤销")
    page.once("dialog", lambda dialog: dialog.dismiss())
    revoke.click()
    assert revoke.is_visible()  # declined: nothing was sent
    page.once("dialog", lambda dialog: dialog.accept())
    revoke.click()
    page.get_by_text("已撤销").first.wait_for()


def test_language_choice_sends_its_form(page):
    page.goto("/instruments/")
    page.locator("select[name=language]").select_option("en")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "en"
