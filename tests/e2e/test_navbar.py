"""The expanded navbar fits the screen in both languages, for the roles with the longest
menus: English labels are half again as wide as Chinese ones, and once pushed the firm's
hat and the language switch off every desktop narrower than 1920 px."""

import pytest

from accounts import demo
from tests.factories.accounts import reference_data

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

RIGHTMOST = (
    "Math.max(...[...document.querySelectorAll('nav .navbar-collapse *')]"
    ".map(e => e.getBoundingClientRect().right))"
)


@pytest.mark.parametrize("email", [demo.FIRM_EMAIL, demo.DEPT_EMAIL])
def test_the_navbar_fits_desktop_widths_in_english_and_chinese(page, sign_in, live_server, email):
    reference_data()
    demo.seed()
    sign_in(email, demo.DEMO_PASSWORD)
    for language in ("en", "zh-hans"):
        page.context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
        for width in (1200, 1280, 1440, 1600):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto("/")
            assert page.evaluate("document.documentElement.lang").startswith(language[:2])
            right = page.evaluate(RIGHTMOST)
            assert right <= width, f"{language} at {width} px: the navbar reaches {right:.0f} px"
            assert page.get_by_test_id("acting-as").is_visible()
            assert page.locator("select[name=language]").is_visible()
