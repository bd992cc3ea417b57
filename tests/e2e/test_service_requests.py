"""The demo firm user orders a test for 3 samples in Chromium, seeing the live quote;
the lab manager then uploads the report and the firm downloads it."""

import pytest
from playwright.sync_api import expect

from accounts import demo
from accounts.models import Organisation
from booking.models import ServiceRequest
from tests.factories.facilities import TestingServiceFactory
from tests.service_requests.conftest import advance

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def demo_service(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    accounts = demo.seed()
    provider = Organisation.objects.get(name=demo.DEMO_PROVIDER_NAME)
    service = TestingServiceFactory(
        provider=provider, name="金属材料室温拉伸试验", price_fen=350_00
    )
    return accounts, service


def test_firm_user_orders_three_samples_with_a_live_quote(page, sign_in, demo_service):
    _, service = demo_service
    sign_in(demo.FIRM_EMAIL, demo.DEMO_PASSWORD)
    page.goto(f"/services/{service.pk}/order/")
    page.fill("input[name=sample_count]", "3")
    expect(page.get_by_test_id("quote-amount")).to_contain_text("1,050.00")  # 3 × ¥350
    page.fill("textarea[name=sample_description]", "Q235 钢板拉伸试样 3 件")
    page.get_by_test_id("place-order").click()
    page.get_by_test_id("timeline").wait_for()
    sr = ServiceRequest.objects.get(service=service)
    assert sr.sample_count == 3 and sr.quote_fen == 1050_00
    assert page.url.endswith(f"/testing-requests/{sr.pk}/")


def test_firm_downloads_the_report_and_confirms(page, sign_in, demo_service):
    accounts, service = demo_service
    sr = ServiceRequest.objects.create(
        service=service,
        firm=accounts["firm"],
        requested_by=accounts["firm_user"],
        sample_count=3,
        sample_description="钢板",
        quote_fen=service.quote_fen(3),
    )
    advance(sr, "reported", manager=accounts["lab_user"])
    sign_in(demo.FIRM_EMAIL, demo.DEMO_PASSWORD)
    page.goto(f"/testing-requests/{sr.pk}/")
    with page.expect_download() as download:
        page.get_by_test_id("download-report").click()
    assert download.value.suggested_filename == f"R-{sr.pk}.pdf"
    page.get_by_test_id("action-confirm").click()
    expect(page.get_by_test_id("status")).to_contain_text("已完成")
