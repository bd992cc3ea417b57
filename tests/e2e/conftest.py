"""Playwright driving the system Chromium against pytest-django's live server."""

import os
import shutil

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between browser steps are synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail("system Chromium is missing: apt-get install chromium chromium-driver")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)  # fmt: skip
    yield page
    context.close()
    # Every browser test doubles as a check that the pages work under the CSP.
    assert not blocked, blocked


@pytest.fixture
def sign_in(page):
    def _sign_in(email: str, password: str):
        page.goto("/accounts/login/")
        page.fill("input[name=login]", email)
        page.fill("input[name=password]", password)
        page.locator("form [type=submit]").last.click()
        page.wait_for_load_state("networkidle")
        return page

    return _sign_in


def pytest_collection_modifyitems(items):
    """The live server answers from its own thread, outside the test's transaction, so the
    tracker's reads (the public summary on the landing and home pages, the dashboard) go
    to the ``replica`` alias, a mirror of the primary in tests: every browser test may
    use it."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker is not None and "databases" not in marker.kwargs:
            kwargs = {**marker.kwargs, "databases": ["default", "replica"]}
            item.add_marker(pytest.mark.django_db(*marker.args, **kwargs))
