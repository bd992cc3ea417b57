"""Errors a Chinese user can read: the site's own 404/403/400/500 pages in its layout and
language, the API's JSON shape under /api/, and no constraint named to the user."""

import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client, RequestFactory
from django.utils import translation

from config.errors import Invalid
from facilities.models import Instrument
from facilities.services.instruments import instrument_update
from frontend.views import errors
from tests.conftest import client_for
from tests.factories.booking import BookingFactory
from tests.factories.facilities import InstrumentFactory

pytestmark = pytest.mark.django_db


def chinese() -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="zh-hans")


def test_unknown_page_is_the_sites_404_in_chinese():
    r = chinese().get("/no-such-page/")
    assert r.status_code == 404
    body = r.content.decode()
    assert "页面不存在 · LabShare" in body and "返回首页" in body
    assert "Not Found" not in body


def test_unknown_page_in_english_reads_english():
    r = Client(HTTP_ACCEPT_LANGUAGE="en").get("/no-such-page/")
    assert r.status_code == 404 and "Page not found · LabShare" in r.content.decode()


def test_unknown_api_route_answers_json():
    r = chinese().get("/api/v1/no-such-thing/")
    assert r.status_code == 404
    assert r.json() == {"code": "not_found", "detail": "此页面不存在，或您的账号无权查看。",
                        "fields": {}}  # fmt: skip


def test_another_firms_booking_page_is_the_sites_404(alice, instrument_booking):
    r = client_for(alice).get(f"/bookings/{instrument_booking.pk}/")
    assert r.status_code == 404 and 'data-testid="error-page"' in r.content.decode()


@pytest.fixture
def instrument_booking(bob):
    return BookingFactory(firm=bob.memberships.get().organisation)


@pytest.mark.parametrize(
    ("handler", "status", "text"),
    [
        (errors.permission_denied, 403, "无权操作"),
        (errors.bad_request, 400, "请求有误"),
        (errors.csrf_failure, 403, "表单已失效"),
    ],
)
def test_other_error_pages_are_in_chinese(rf: RequestFactory, handler, status, text):
    request = rf.get("/firm/")
    request.user = AnonymousUser()
    with translation.override("zh-hans"):
        response = handler(request)
    assert response.status_code == status and text in response.content.decode()


def test_server_error_page_needs_no_database_and_is_in_chinese(rf: RequestFactory):
    with translation.override("zh-hans"):
        page = errors.server_error(rf.get("/bookings/"))
        api = errors.server_error(rf.get("/api/v1/bookings/"))
    assert page.status_code == 500 and "服务器错误 · LabShare" in page.content.decode()
    assert api.status_code == 500 and json.loads(api.content)["code"] == "server_error"


def test_csrf_failure_uses_the_sites_page(manager):
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(manager)
    r = client.post("/lab/approvals/", {"ids": []})
    assert r.status_code == 403 and "表单已失效" in r.content.decode()


def test_minimum_longer_than_maximum_is_said_in_words(manager, provider):
    instrument = InstrumentFactory(provider=provider)
    client = client_for(manager)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    page = client.get(f"/lab/instruments/{instrument.pk}/")
    form = page.context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k != "photo"}
    data |= {"category": instrument.category_id, "original_value": "800000",
             "min_minutes": 120, "max_minutes": 60}  # fmt: skip
    data = {k: ("on" if v is True else v) for k, v in data.items() if v is not False}
    r = client.post(f"/lab/instruments/{instrument.pk}/", data)
    body = r.content.decode()
    assert "instrument_rule_lengths" not in body and "约束" not in body
    assert "最长时长（60 分钟）不能短于最短时长（120 分钟）" in body
    instrument.refresh_from_db()
    assert (instrument.min_minutes, instrument.max_minutes) == (30, 480)


def test_instrument_service_refuses_bad_lengths_by_field(manager, provider):
    instrument = InstrumentFactory(provider=provider)
    with pytest.raises(Invalid) as caught:
        instrument_update(actor=manager, instrument=instrument, min_minutes=90, max_minutes=30)
    assert set(caught.value.fields) == {"max_minutes"}
    assert Instrument.objects.get(pk=instrument.pk).max_minutes == 480


def test_language_menu_names_each_language_in_itself():
    body = chinese().get("/").content.decode()
    assert '<option value="en" lang="en">English</option>' in body
    assert "简体中文" in body and "英语" not in body
