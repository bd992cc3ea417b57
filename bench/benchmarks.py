"""Named benchmarks against the running app. Each prints its figures and adds them to
``ctx.results``; ``run_benchmarks`` serves the app with gunicorn around them."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import tempfile
import urllib.parse
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from bench import fixtures
from bench.client import Client, csrf_from, timed
from bench.cpu import CpuMeter
from bench.gen_orgs import BENCH_PASSWORD
from bench.load import describe, wrk
from bench.report import markdown
from bench.server import Server, flush_bench_redis, free_port, gunicorn, redis_url

PORTS = (8105, 8107, 8109)  # the bench's range is 8105–8109; 8106/8108 serve the bare endpoint
SHANGHAI = ZoneInfo("Asia/Shanghai")
RESULTS_JSON = os.path.join(tempfile.gettempdir(), "labshare-bench-last.json")


@dataclass
class Context:
    base: str
    url: str
    args: object
    server: Server
    users: list = field(default_factory=list)
    results: dict = field(default_factory=dict)

    def meter(self, server: Server | None = None) -> CpuMeter:
        server = server or self.server
        return CpuMeter(server.pid, server.app_name).start()

    def record(self, name: str, summary: dict, note: str = "") -> None:
        # The 1-minute load average says how much the shared machine was doing meanwhile.
        summary["load"] = os.getloadavg()[0]
        note = f"{note} · load {summary['load']:.1f}".strip(" ·")
        if "cpu_ms" in summary:
            note += f" · CPU {summary['cpu_ms']:.1f} ms/request (app + db)"
        self.results[name] = summary
        print(
            f"  {name}: p50 {summary['p50']:.1f} ms · p95 {summary['p95']:.1f} ms"
            f" · p99 {summary['p99']:.1f} ms · n={summary['n']}" + (f" · {note}" if note else ""),
            flush=True,
        )

    def record_load(self, name: str, result: dict) -> None:
        result["load"] = os.getloadavg()[0]
        self.results[name] = result
        cpu = f" · CPU {result['cpu_ms']:.1f} ms/request" if "cpu_ms" in result else ""
        print(f"  {name}: {describe(result)} · load {result['load']:.1f}{cpu}", flush=True)

    def missing(self, name: str, why: str) -> None:
        self.results[name] = {"missing": why}
        print(f"  {name}: NOT MEASURED — {why}", flush=True)


def _sign_in(ctx: Context, user) -> Client:
    c = Client(ctx.base)
    page = c.get("/accounts/login/")
    r = c.post_form(
        "/accounts/login/",
        {
            "login": user.email,
            "password": BENCH_PASSWORD,
            "csrfmiddlewaretoken": csrf_from(page.body),
        },
    )
    r.seconds += page.seconds
    c.last = r
    return c


def bench_signin(ctx: Context) -> None:
    """GET the sign-in page and POST the form (PBKDF2 hashing included, as a user waits)."""
    n = min(ctx.args.samples, 40)
    summary, statuses = timed(
        lambda i: _sign_in(ctx, ctx.users[i % len(ctx.users)]).last,
        n,
        meter=ctx.meter,
        expect=(302,),
        warmup=2,
    )
    ctx.record("signin (GET form + POST)", summary, f"statuses {statuses}")


def bench_home(ctx: Context) -> None:
    client = _sign_in(ctx, ctx.users[0])
    summary, statuses = timed(lambda i: client.get("/home/"), ctx.args.samples, meter=ctx.meter)
    ctx.record("home page (signed-in firm user)", summary, f"statuses {statuses}")


def _throughput(ctx: Context, name: str, paths: list[str], seconds: int = 10) -> None:
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write("\n".join(paths))
    try:
        env = {"BENCH_PATHS": f.name, "BENCH_TOKEN": ctx.users[0].token}
        meter = ctx.meter()
        result = wrk(ctx.base, "get_paths.lua", seconds=seconds, connections=8, env=env)
        result["cpu_ms"] = meter.stop() * 1000 / max(1, result["requests"])
        ctx.record_load(name, result)
    finally:
        os.unlink(f.name)


def _latency(ctx: Context, name: str, client: Client, paths: list[str], note: str = "") -> bool:
    """Sequential latency over ``paths``; False (and reported missing) when the URL is absent."""
    first = client.get(paths[0])
    if first.status == 404 and all(client.get(p).status == 404 for p in paths[1:3]):
        ctx.missing(name, f"{paths[0]} answers 404 (not built yet?)")
        return False
    summary, statuses = timed(
        lambda i: client.get(paths[i % len(paths)]), ctx.args.samples, meter=ctx.meter
    )
    ctx.record(name, summary, f"{note} statuses {statuses}".strip())
    return True


def _search_paths(prefix: str, text_param: str) -> tuple[str, list[str]]:
    """The brief's query (光谱, Hangzhou, spectroscopy) and a mix over terms and cities."""
    from bench.sqlutil import rows

    cats = dict(
        rows(
            "SELECT code, id FROM facilities_category WHERE code IN ('B', 'B01', 'B02', 'B04', 'C01')"
        )
    )
    cities = [
        r[0] for r in rows("SELECT code FROM accounts_region WHERE level = 'city' ORDER BY code")
    ]
    mix = [("光谱", "B01"), ("光谱", "B"), ("色谱", "B02"), ("显微镜", "B04"), ("试验机", "C01")]

    def q(term, city, code):
        return f"{prefix}?" + urllib.parse.urlencode(
            {text_param: term, "city": city, "category": cats.get(code, 0)}
        )

    fixed = q("光谱", "330100", "B01")
    return fixed, [q(t, city, code) for city in cities for t, code in mix]


def _thesaurus_paths(prefix: str, text_param: str) -> list[str]:
    """What lab people type (issue 15): abbreviations and short forms the thesaurus expands
    to several canonical terms, alone and with a city, over the 11 cities."""
    from bench.sqlutil import rows

    cities = [
        r[0] for r in rows("SELECT code FROM accounts_region WHERE level = 'city' ORDER BY code")
    ]
    words = [
        "电镜",
        "SEM",
        "XRD",
        "液相",
        "核磁",
        "ICP",
        "热分析",
        "蔡司 SEM",
        "FTIR",
        "万能试验机",
    ]
    return [
        f"{prefix}?" + urllib.parse.urlencode({text_param: word, "city": city})
        for city in cities
        for word in words
    ]


def bench_catalogue_search(ctx: Context) -> None:
    client = Client(ctx.base, token=ctx.users[0].token)
    for label, prefix, param in (
        ("API", "/api/v1/instruments/", "search"),
        ("page", "/instruments/", "q"),
    ):
        fixed, mix = _search_paths(prefix, param)
        if _latency(
            ctx, f"catalogue search {label}: 光谱 + Hangzhou + spectroscopy", client, [fixed]
        ):
            _latency(ctx, f"catalogue search {label}: 5 terms x 11 cities x category", client, mix)
            _throughput(ctx, f"catalogue search {label} mix, wrk 8 connections", mix)
            words = _thesaurus_paths(prefix, param)
            _latency(
                ctx, f"catalogue search {label}: 10 thesaurus words x 11 cities", client, words
            )


def bench_instrument_page(ctx: Context) -> None:
    paths = [f"/instruments/{pk}/" for pk in fixtures.random_instruments(500)]
    if _latency(ctx, "instrument page (random instruments)", Client(ctx.base), paths):
        _throughput(ctx, "instrument page, wrk 8 connections", paths)


def bench_availability(ctx: Context) -> None:
    day = dt.datetime.now(SHANGHAI).replace(
        hour=0, minute=0, second=0, microsecond=0
    ) + dt.timedelta(days=1)
    window = urllib.parse.urlencode(
        {"start": day.isoformat(), "end": (day + dt.timedelta(days=14)).isoformat()}
    )
    paths = [
        f"/api/v1/instruments/{pk}/availability/?{window}"
        for pk in fixtures.random_instruments(500)
    ]
    client = Client(ctx.base, token=ctx.users[0].token)
    if _latency(ctx, "availability, 14 days (random instruments)", client, paths):
        _throughput(ctx, "availability, wrk 8 connections", paths)


def bench_booking_create(ctx: Context) -> None:
    from bench.booking_load import booking_create

    booking_create(ctx)


def bench_booking_vouchers(ctx: Context) -> None:
    from bench.vouchers_load import booking_vouchers

    booking_vouchers(ctx)


BENCHMARKS = {
    "signin": bench_signin,
    "home": bench_home,
    "catalogue_search": bench_catalogue_search,
    "instrument_page": bench_instrument_page,
    "availability": bench_availability,
    "booking_create": bench_booking_create,
    "booking_vouchers": bench_booking_vouchers,
}


def run_benchmarks(args, url: str) -> dict:
    names = [n for n in args.only.split(",") if n] or list(BENCHMARKS)
    unknown = set(names) - set(BENCHMARKS)
    if unknown:
        raise SystemExit(f"unknown benchmarks {sorted(unknown)}; known: {', '.join(BENCHMARKS)}")
    random.seed(11)
    with gunicorn(url, port=free_port(PORTS), workers=args.workers, threads=args.threads) as server:
        base = server.base
        print(
            f"gunicorn: {args.workers} workers x {args.threads} thread(s) at {base},"
            f" DEBUG off, CONN_MAX_AGE {os.environ.get('DB_CONN_MAX_AGE', '600')},"
            f" Redis {redis_url()}",
            flush=True,
        )
        ctx = Context(base=base, url=url, args=args, server=server)
        ctx.users, how = fixtures.with_tokens(base, fixtures.firm_users(32))
        print(f"tokens: {len(ctx.users)} firm users, tokens {how}", flush=True)
        for name in names:
            print(f"-- {name}", flush=True)
            BENCHMARKS[name](ctx)
    flush_bench_redis()
    with open(RESULTS_JSON, "w") as f:
        json.dump(ctx.results, f, ensure_ascii=False, indent=1)
    print(f"figures saved to {RESULTS_JSON}\n")
    print(markdown(ctx.results))
    return ctx.results
