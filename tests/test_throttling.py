"""Fixed-window API throttling: a counter per client and window, one round trip each."""

from __future__ import annotations

import random

import pytest
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from config.throttling import UserRateThrottle

pytestmark = pytest.mark.django_db


class ThreeAMinute(UserRateThrottle):
    rate = "3/min"
    scope = "test-three"

    def get_rate(self):
        return self.rate


class Ping(APIView):
    throttle_classes = [ThreeAMinute]

    def get(self, request):
        return Response({"ok": True})


def _get(user, now, monkeypatch):
    monkeypatch.setattr(ThreeAMinute, "timer", lambda self: now)
    request = APIRequestFactory().get("/ping/")
    force_authenticate(request, user=user)
    return Ping.as_view()(request)


def test_the_fourth_call_in_a_window_is_refused_with_retry_after(alice, bob, monkeypatch):
    # A window boundary of its own: counters in a shared Redis outlive a run by a minute.
    start = 60.0 * random.randrange(10**6, 10**9)
    assert [_get(alice, start + i, monkeypatch).status_code for i in range(3)] == [200] * 3
    refused = _get(alice, start + 15, monkeypatch)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "45"
    assert refused.data["code"] == "throttled"
    assert _get(bob, start + 15, monkeypatch).status_code == 200  # counted per user
    assert _get(alice, start + 60, monkeypatch).status_code == 200  # a new window
