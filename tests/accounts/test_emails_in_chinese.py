"""Account e-mails read in Chinese, name the site and link to SITE_URL; booking notices
translate their labels."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from booking.feeds import booking_ics
from booking.services.booking_notices import announce
from tests.conftest import client_for
from tests.factories.booking import BookingFactory

pytestmark = pytest.mark.django_db
SIGNUP = {"email": "xin@example.cn", "password1": "qingHe-2024-lab", "password2": "qingHe-2024-lab"}
ENGLISH = re.compile(r"\b(Hello|Thank you|You're|receiving|Instrument|Firm|Status|Time)\b")


@pytest.fixture
def site_url(settings):
    settings.SITE_URL = "https://labshare.example.cn"
    return settings.SITE_URL


def chinese() -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="zh-hans")


def test_signup_mail_is_chinese_names_the_site_and_links_to_site_url(
    site_url, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        chinese().post(reverse("account_signup"), SIGNUP)
    (mail,) = mailoutbox
    assert mail.subject.startswith("[LabShare] ")
    assert "LabShare" in mail.body and "来自的" not in mail.body
    assert not ENGLISH.search(mail.body + mail.subject), mail.body
    assert f"{site_url}/accounts/confirm-email/" in mail.body
    assert "testserver" not in mail.body


def test_password_reset_mail_is_chinese_and_links_to_site_url(
    site_url, alice, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        chinese().post(reverse("account_reset_password"), {"email": alice.email})
    (mail,) = mailoutbox
    assert not ENGLISH.search(mail.body + mail.subject), mail.body
    assert f"{site_url}/accounts/password/reset/key/" in mail.body


def test_booking_notice_labels_are_translated(
    site_url, alice, mailoutbox, django_capture_on_commit_callbacks
):
    alice.language = "zh-hans"
    alice.save()
    booking = BookingFactory(firm=alice.memberships.get().organisation, booked_by=alice)
    with django_capture_on_commit_callbacks(execute=True):
        announce(booking.pk, "approved")
    (mail,) = mailoutbox
    assert "仪器：" in mail.body and "北京时间" in mail.body and "企业：" in mail.body
    assert not ENGLISH.search(mail.body + mail.subject), mail.body
    assert f"{site_url}/bookings/{booking.pk}/" in mail.body


def test_ical_links_use_site_url(site_url, alice):
    booking = BookingFactory(firm=alice.memberships.get().organisation, booked_by=alice)
    page = client_for(alice).get("/bookings/").content.decode()
    assert f"{site_url}/feeds/" in page and "http://testserver/feeds/" not in page
    assert f"{site_url}/bookings/{booking.pk}/" in booking_ics(booking).replace("\r\n ", "")
