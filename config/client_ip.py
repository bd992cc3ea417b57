"""The client's address, trusting ``X-Forwarded-For`` only from configured proxies.

Behind nginx (or any chain of N trusted proxies) each proxy appends the address it saw,
so the client's is the N-th from the right; everything left of it was written by the
client and proves nothing. With ``TRUSTED_PROXY_COUNT`` = 0 (the default: no proxy) the
header is ignored and the socket's address is the client's. The throttles, django-axes
and allauth's rate limits all ask this one function, so one attacker can neither dodge a
limit by forging the header nor lock an account for everyone behind the proxy.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def client_ip(request) -> str:
    meta = request.META
    remote = meta.get("REMOTE_ADDR", "") or ""
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    hops = [h.strip() for h in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    if len(hops) < count:
        return remote  # not through the whole chain of proxies: the socket is the client
    candidate = hops[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
