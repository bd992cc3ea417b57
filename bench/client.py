"""A minimal keep-alive HTTP client for latency figures, and percentile arithmetic.

Latency figures are taken by one client sending one request at a time, so they show what a
single user waits for; throughput under concurrency is measured with wrk (bench/load.py).
"""

from __future__ import annotations

import http.client
import json
import re
import time
import urllib.parse
from dataclasses import dataclass, field


def percentile(sorted_values: list[float], pct: float) -> float:
    if not sorted_values:
        return float("nan")
    rank = min(len(sorted_values) - 1, max(0, round(pct / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[rank]


def summary_ms(seconds: list[float]) -> dict[str, float]:
    ordered = sorted(s * 1000 for s in seconds)
    return {
        "n": len(ordered),
        "p50": percentile(ordered, 50),
        "p95": percentile(ordered, 95),
        "p99": percentile(ordered, 99),
        "max": ordered[-1] if ordered else float("nan"),
    }


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float

    def json(self):
        return json.loads(self.body)


@dataclass
class Client:
    """One connection to the server, with a cookie jar and optional token."""

    base: str
    token: str | None = None
    cookies: dict[str, str] = field(default_factory=dict)

    def __post_init__(self):
        parsed = urllib.parse.urlsplit(self.base)
        self.conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=60)

    def request(
        self, method: str, path: str, *, body: bytes | None = None, headers=None
    ) -> Response:
        hdrs = {"Host": "127.0.0.1", **(headers or {})}
        if self.token:
            hdrs["Authorization"] = f"Token {self.token}"
        if self.cookies:
            hdrs["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        started = time.perf_counter()
        try:
            self.conn.request(method, path, body=body, headers=hdrs)
            resp = self.conn.getresponse()
        except (http.client.HTTPException, ConnectionError):
            # gunicorn's sync workers close the connection after each response; reconnect.
            self.conn.close()
            self.conn.request(method, path, body=body, headers=hdrs)
            resp = self.conn.getresponse()
        data = resp.read()
        elapsed = time.perf_counter() - started
        for raw in resp.headers.get_all("Set-Cookie") or []:
            name, _, rest = raw.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return Response(resp.status, dict(resp.headers), data, elapsed)

    def get(self, path: str, **kw) -> Response:
        return self.request("GET", path, **kw)

    def post_form(self, path: str, data: dict[str, str], **kw) -> Response:
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Referer": self.base + path}
        return self.request(
            "POST", path, body=urllib.parse.urlencode(data).encode(), headers=headers
        )

    def post_json(self, path: str, data: dict, **kw) -> Response:
        headers = {"Content-Type": "application/json", **kw.get("headers", {})}
        return self.request("POST", path, body=json.dumps(data).encode(), headers=headers)


def csrf_from(html: bytes) -> str:
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if not match:
        raise RuntimeError("no CSRF token in the sign-in page")
    return match.group(1).decode()


def timed(fn, n: int, *, meter=None, expect=(200,), warmup: int = 8) -> tuple[dict, dict[int, int]]:
    """Call ``fn(i)`` n times after ``warmup`` unrecorded calls (each gunicorn worker's
    first requests compile templates and open its database connection); returns the
    latency summary (with CPU ms per call when ``meter()`` gives a started CpuMeter) and
    the status counts."""
    for i in range(warmup):
        fn(n + i)
    cpu = meter() if meter else None
    seconds, statuses = [], {}
    for i in range(n):
        r = fn(i)
        seconds.append(r.seconds)
        statuses[r.status] = statuses.get(r.status, 0) + 1
    summary = summary_ms(seconds)
    if cpu:
        summary["cpu_ms"] = cpu.stop() * 1000 / n
    unexpected = {s: c for s, c in statuses.items() if s not in expect}
    if unexpected:
        print(f"    unexpected statuses: {unexpected}")
    return summary, statuses
