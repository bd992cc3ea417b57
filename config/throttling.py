"""API throttling by fixed-window counters: one Redis round trip per request.

DRF's throttles keep a list of every request's timestamp in the window and read and rewrite
it whole on each call: two round trips, and at this platform's per-user rate (100,000 a
minute for integrations) a list of tens of thousands of floats pickled per request. A
counter per (client, window) answers the same question in O(1). The price is the usual one
of fixed windows: a client can send up to twice the rate across a window boundary.
"""

from __future__ import annotations

import logging

from django.core.cache import cache
from redis.exceptions import RedisError
from rest_framework import throttling

from config.client_ip import client_ip

logger = logging.getLogger(__name__)


def _count(key: str, ttl: int) -> int:
    """Increment the window's counter, creating it with its expiry; returns the new count."""
    client = getattr(cache, "client", None)
    if client is not None and hasattr(client, "get_client"):  # django-redis
        try:
            redis = client.get_client(write=True)
            key = client.make_key(key)
            with redis.pipeline(transaction=False) as pipe:
                pipe.incr(key)
                pipe.expire(key, ttl, nx=True)
                return pipe.execute()[0]
        except RedisError:
            # Redis is down: let the request through rather than take the API down with it.
            logger.warning("throttle counters unreachable; request allowed", exc_info=True)
            return 0
    cache.add(key, 0, ttl)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, ttl)
        return 1


class FixedWindowMixin:
    def get_ident(self, request) -> str:
        # DRF would trust every X-Forwarded-For entry unless NUM_PROXIES is set; one
        # definition of the client's address serves the throttles, axes and allauth.
        return client_ip(request)

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        window = int(self.timer() // self.duration)
        self.window_ends_at = (window + 1) * self.duration
        return _count(f"{self.key}:{window}", self.duration + 1) <= self.num_requests

    def wait(self) -> float:
        return max(0.0, self.window_ends_at - self.timer())


class AnonRateThrottle(FixedWindowMixin, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(FixedWindowMixin, throttling.UserRateThrottle):
    pass


class ScopedRateThrottle(FixedWindowMixin, throttling.ScopedRateThrottle):
    def allow_request(self, request, view) -> bool:
        # DRF's scoped throttle learns its rate from the view here, then counts.
        self.scope = getattr(view, self.scope_attr, None)
        if not self.scope:
            return True
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)
