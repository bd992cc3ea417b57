"""The client's address comes from the socket, or from X-Forwarded-For only as far as the
configured trusted proxies wrote it: a forged header neither dodges a limit nor frames
someone else."""

from __future__ import annotations

import random

import pytest
from django.test import RequestFactory
from rest_framework.test import APIClient

from config.client_ip import client_ip
from config.throttling import ScopedRateThrottle

pytestmark = pytest.mark.django_db


def _request(remote: str, forwarded: str | None = None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


def test_without_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(_request("198.51.100.7", "1.2.3.4")) == "198.51.100.7"


def test_behind_one_proxy_only_its_entry_counts(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The client forged "1.2.3.4"; nginx appended the address it really saw.
    assert client_ip(_request("10.0.0.2", "1.2.3.4, 203.0.113.9")) == "203.0.113.9"
    assert client_ip(_request("10.0.0.2", "203.0.113.9")) == "203.0.113.9"


def test_a_short_or_garbled_chain_falls_back_to_the_socket(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(_request("10.0.0.2", "203.0.113.9")) == "10.0.0.2"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(_request("10.0.0.2", "not-an-address")) == "10.0.0.2"


def test_spoofed_forwarded_for_does_not_reset_the_token_limit(monkeypatch, settings, alice):
    settings.TRUSTED_PROXY_COUNT = 0
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"token_obtain": "3/min"})
    # A fresh address per run: the counters live in the shared Redis for a minute.
    remote = f"198.51.100.{random.randint(1, 254)}"
    client = APIClient(REMOTE_ADDR=remote)
    codes = [
        client.post("/api/v1/auth/token/", {"email": alice.email, "password": "wrong"},
                    format="json", HTTP_X_FORWARDED_FOR=f"192.0.2.{i}").status_code
        for i in range(6)
    ]  # fmt: skip
    assert 429 in codes
    assert codes.index(429) <= 3


def test_html_sign_in_is_limited_per_address_across_accounts(settings, client):
    settings.ACCOUNT_RATE_LIMITS = {"login": "3/m/ip"}
    remote = f"203.0.113.{random.randint(1, 254)}"
    codes = [
        client.post("/accounts/login/", {"login": f"user{i}@example.cn", "password": "x"},
                    REMOTE_ADDR=remote).status_code
        for i in range(6)
    ]  # fmt: skip
    assert 429 in codes, codes


def test_sign_in_limit_answers_the_sites_own_page_in_chinese(settings, client):
    settings.ACCOUNT_RATE_LIMITS = {"login": "1/m/ip"}
    remote = f"203.0.113.{random.randint(1, 254)}"
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    for i in range(3):
        response = client.post("/accounts/login/", {"login": f"u{i}@example.cn", "password": "x"},
                               REMOTE_ADDR=remote)  # fmt: skip
    assert response.status_code == 429
    page = response.content.decode()
    assert "尝试次数过多" in page and 'data-testid="error-page"' in page and "navbar" in page
