"""The department's dashboard in Chromium: the map of Zhejiang and every chart render
(a canvas each), without a JavaScript error; clicking a city drills into its counties."""

import pytest

from frontend import maps
from tests.factories.accounts import PASSWORD, ensure_reference_data, make_reviewer
from tests.tracker_pages.world import build_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def reference_data():
    ensure_reference_data()


@pytest.fixture
def map_built():
    """The map is built at setup (make run); a fresh checkout builds it here once."""
    if not maps.map_is_built():
        maps.build_zhejiang_map()


def _watch_errors(page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    def console(message):
        # The site has no favicon; any other failed load or script error counts.
        if message.type == "error" and "favicon" not in (message.location or {}).get("url", ""):
            errors.append(message.text)

    page.on("console", console)
    page.on(
        "response",
        lambda r: (
            errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and "favicon" not in r.url
            else None
        ),
    )
    return errors


def _rendered(page) -> dict:
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('[data-chart]')).map(el => ({
            kind: el.dataset.chart, rendered: el.dataset.rendered === '1',
            canvas: el.querySelectorAll('canvas').length }))"""
    )


def test_dashboard_draws_the_map_and_every_chart(page, sign_in, map_built):
    build_world()
    reviewer = make_reviewer("330000", email="e2e-dept@example.cn")
    errors = _watch_errors(page)
    sign_in(reviewer.email, PASSWORD)
    page.goto("/tracker/")
    page.locator('[data-chart="map"][data-rendered="1"] canvas').wait_for()
    page.wait_for_load_state("networkidle")
    charts = _rendered(page)
    kinds = {c["kind"] for c in charts}
    assert {"map", "gauge", "cumulative", "trend", "bars", "pie"} <= kinds
    assert all(c["rendered"] and c["canvas"] == 1 for c in charts), charts
    assert "示意图" in page.get_by_test_id("section-regions").inner_text()
    assert errors == []

    # Clicking Hangzhou on the map opens the same dashboard drilled into its counties.
    hangzhou = page.evaluate(
        """() => {
            const el = document.querySelector('[data-chart="map"]');
            const chart = echarts.getInstanceByDom(el);
            return chart.convertToPixel({seriesIndex: 0}, [119.6, 29.95]);
        }"""
    )
    page.locator('[data-chart="map"] canvas').click(position={"x": hangzhou[0], "y": hangzhou[1]})
    page.wait_for_url("**region=330100**")
    page.locator('[data-chart="map"][data-rendered="1"] canvas').wait_for()
    assert "西湖区" in page.get_by_test_id("table-regions").inner_text()
    assert errors == []


def test_dashboard_works_on_a_phone(browser, live_server, map_built):
    build_world()
    reviewer = make_reviewer("330000", email="e2e-phone@example.cn")
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": 390, "height": 844}
    )
    page = context.new_page()
    errors = _watch_errors(page)
    page.goto("/accounts/login/")
    page.fill("input[name=login]", reviewer.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form [type=submit]").last.click()
    page.wait_for_load_state("networkidle")
    page.goto("/tracker/")
    page.locator('[data-chart="map"][data-rendered="1"] canvas').wait_for()
    page.wait_for_load_state("networkidle")
    assert all(c["rendered"] for c in _rendered(page))
    # Nothing wider than the screen but the tables' own sideways scroll.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    assert errors == []
    context.close()
