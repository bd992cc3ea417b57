"""Every page, rendered in Chinese for each demo role, holds no English left untranslated:
no msgid the .po has no Chinese for, and no English source sentence of the catalogue
(a string translated too early, or outside gettext), no raw 404 and no constraint name."""

from __future__ import annotations

import html
import re
from functools import cache
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db.models import Q
from django.test import Client

from accounts import demo
from accounts.models import User
from booking.models import Booking, ServiceRequest
from facilities.models import Instrument, TestingService

pytestmark = pytest.mark.django_db

PO = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
TAGS = re.compile(r"<script.*?</script>|<style.*?</style>|<[^>]+>", re.S)
# Sentences worth flagging: several English words, not a name or code that reads the same.
SENTENCE = re.compile(r"^[A-Z][a-z]+(?: [a-z]+){2,}")


@cache
def catalogue() -> tuple[frozenset[str], frozenset[str]]:
    """(msgids with no Chinese, English sentences of the catalogue)."""
    untranslated, sentences = set(), set()
    for entry in polib.pofile(str(PO)):
        if entry.obsolete or "%" in entry.msgid or "{" in entry.msgid:
            continue
        text = entry.msgstr or entry.msgstr_plural.get(0, "")
        if not text:
            untranslated.add(entry.msgid)
        elif SENTENCE.match(entry.msgid) and text != entry.msgid:
            sentences.add(entry.msgid)
    return frozenset(untranslated), frozenset(sentences)


def visible_text(body: bytes) -> str:
    return html.unescape(TAGS.sub("\n", body.decode()))


def english_in(body: bytes) -> list[str]:
    text = visible_text(body)
    untranslated, sentences = catalogue()
    lines = {line.strip() for line in text.splitlines()}
    found = [m for m in untranslated if len(m) > 3 and m in lines]
    found += [m for m in sentences if m in text]
    if "instrument_rule_lengths" in text or "约束" in text:
        found.append("a constraint's name")
    return sorted(found)


def chinese_client(email: str | None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    if email:
        client.force_login(User.objects.get(email=email))
    return client


def _first(qs):
    obj = qs.order_by("pk").first()
    assert obj is not None, f"the demo data has no {qs.model.__name__}"
    return obj.pk


def public_pages() -> list[str]:
    instrument = _first(Instrument.objects.filter(status="active", is_shared=True))
    service = _first(TestingService.objects.all())
    provider = Instrument.objects.get(pk=instrument).provider_id
    return [
        "/", "/instruments/", f"/instruments/{instrument}/", f"/instruments/{instrument}/book/",
        "/services/", f"/services/{service}/", "/providers/", f"/providers/{provider}/",
        "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/", "/no-such-page/",
    ]  # fmt: skip


def statement_pages(organisation_ids) -> list[str]:
    """The demo's statements seen from either side (the firm's or the provider's)."""
    from statements.models import Statement

    rows = Statement.objects.filter(
        Q(firm_id__in=organisation_ids) | Q(provider_id__in=organisation_ids)
    )
    return [f"/statements/{_first(rows)}/"]


def firm_pages(user: User) -> list[str]:
    firm_ids = user.memberships.values_list("organisation_id", flat=True)
    booking = _first(Booking.objects.filter(firm_id__in=firm_ids))
    request = _first(ServiceRequest.objects.filter(firm_id__in=firm_ids))
    service = _first(TestingService.objects.all())
    return [
        "/home/", "/bookings/", "/bookings/?when=past", f"/bookings/{booking}/",
        "/testing-requests/", f"/testing-requests/{request}/", f"/services/{service}/order/",
        "/firm/", "/notifications/", "/account/profile/", "/account/tokens/", "/waitlist/",
        "/statements/", *statement_pages(firm_ids),
        "/vouchers/uses/",
        f"/bookings/{_first(Booking.objects.all().exclude(firm_id__in=firm_ids))}/",
    ]  # fmt: skip


def lab_pages(user: User) -> list[str]:
    provider_ids = user.memberships.values_list("organisation_id", flat=True)
    instrument = _first(Instrument.objects.filter(provider_id__in=provider_ids))
    service = _first(TestingService.objects.filter(provider_id__in=provider_ids))
    pages = [
        "/home/", "/lab/today/", "/lab/approvals/", "/lab/testing-queue/",
        "/lab/instruments/", "/lab/instruments/new/", f"/lab/instruments/{instrument}/",
        f"/lab/instruments/{instrument}/prices/", f"/lab/instruments/{instrument}/hours/",
        f"/lab/instruments/{instrument}/blackouts/",
        f"/lab/instruments/{instrument}/qualifications/", f"/instruments/{instrument}/calendar/",
        "/lab/services/", "/lab/services/new/", f"/lab/services/{service}/", "/lab/import/",
        "/lab/categories/",
        "/notifications/",
        "/lab/kiosks/", f"/lab/kiosks/{instrument}/",
        "/lab/statements/", *statement_pages(provider_ids),
        "/lab/claims/",
    ]  # fmt: skip
    for status in Booking.Status.values:
        booking = Booking.objects.filter(instrument__provider_id__in=provider_ids, status=status)
        if booking.exists():
            pages.append(f"/bookings/{_first(booking)}/")
    for status in ServiceRequest.Status.values:
        order = ServiceRequest.objects.filter(service__provider_id__in=provider_ids, status=status)
        if order.exists():
            pages.append(f"/testing-requests/{_first(order)}/")
    return pages


def department_pages(user: User) -> list[str]:
    return ["/home/", "/review/firms/", "/department/claims/", "/department/claims/flags/",
            "/department/audits/", "/department/notices/"]  # fmt: skip


@pytest.fixture
def seeded():
    call_command("seed_demo", verbosity=0)


def test_every_page_in_chinese_has_no_english_left(seeded):
    roles = [
        (None, public_pages()),
        (demo.FIRM_EMAIL, firm_pages(User.objects.get(email=demo.FIRM_EMAIL))),
        (demo.LAB_EMAIL, lab_pages(User.objects.get(email=demo.LAB_EMAIL))),
        (demo.DEPT_EMAIL, department_pages(User.objects.get(email=demo.DEPT_EMAIL))),
    ]
    problems, rendered = [], 0
    for email, urls in roles:
        client = chinese_client(email)
        for url in urls:
            response = client.get(url)
            assert response.status_code in (200, 404), (email, url, response.status_code)
            assert "text/html" in response["Content-Type"], (email, url)
            assert "浙江省科研设施与仪器开放共享服务平台" in response.content.decode(), (email, url)
            found = english_in(response.content)
            if b"Not Found" in response.content:
                found.append("Not Found")
            if found:
                problems.append(f"{email or 'anonymous'} {url}: {found}")
            rendered += 1
    assert rendered >= 40
    assert not problems, "\n".join(problems)


def test_the_detector_finds_an_english_sentence():
    _, sentences = catalogue()
    sentence = sorted(sentences)[0]
    assert english_in(f"<p>{sentence}</p>".encode()) == [sentence]
    assert english_in("<p>仪器设备</p>".encode()) == []
