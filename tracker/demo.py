"""Demo history for the tracker: ``seed_tracker_demo()`` backfills completed instrument
uses and service batches from 2018 to today in all 11 cities, shaped like a real
rollout (Hangzhou and Ningbo first and largest, the mountain and island cities later and
smaller, a dip in 2020 and every Spring Festival), so the dashboard is alive on first
start. Call it after the other demo seeds (the lead wires it into ``seed_demo``).

Orders are written as rows (bookings with their session logs, testing requests with
their reports, the creation and completion StateChange rows) and then counted by
``usage_record_many``: the events the subscriber would write (its own facts and values),
inserted in bulk, and the counters rebuilt from the events by reconciliation's rebuild,
so they equal a recount. Idempotent: a second run adds nothing.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from accounts import demo as accounts_demo
from accounts.models import (
    DepartmentProfile,
    FirmProfile,
    IndustrySizeRule,
    Organisation,
    ProviderProfile,  # fmt: skip
    Region,
    User,
)
from booking.models import Booking, ServiceRequest, Session, StateChange
from booking.order_events import OrderKind
from facilities.demo_data import CATEGORIES
from facilities.models import Category, Instrument, Price, TestingService
from tracker.models import Target, UsageKind
from tracker.services.backfill import Completion, usage_record_many
from tracker.services.reconciliation import usage_events_backfill
from tracker.services.targets import plan_targets_ensure

MARK = "[演示历史]"  # in every generated order's purpose / description: found again by it
HZ_DEPT_EMAIL = accounts_demo.HZ_DEPT_EMAIL

# city: (share of the province's use, first year on the platform)
CITIES = {
    "330100": (0.29, 2018), "330200": (0.17, 2018), "330300": (0.10, 2018),
    "330400": (0.08, 2018), "330500": (0.06, 2018), "330600": (0.08, 2018),
    "330700": (0.08, 2019), "330800": (0.025, 2019), "330900": (0.02, 2020),
    "331000": (0.06, 2019), "331100": (0.025, 2020),
}  # fmt: skip
# Completed orders a year across the province (uses, batches): the rollout's shape.
YEARS = {
    2018: (140, 260), 2019: (260, 420), 2020: (230, 380), 2021: (330, 520),
    2022: (360, 560), 2023: (420, 640), 2024: (480, 720), 2025: (540, 800), 2026: (560, 840),
}  # fmt: skip
# Month weights: Spring Festival (Jan/Feb) is quiet, autumn busy.
MONTHS = [0.7, 0.45, 1.0, 1.05, 1.05, 1.1, 0.95, 0.9, 1.1, 1.0, 1.15, 1.2]
FIRM_WORDS = [
    "智能装备",
    "新材料",
    "生物医药",
    "精密机械",
    "电子科技",
    "环保科技",
    "食品科技",
    "光电",
]
INSTRUMENTS = [
    ("扫描电子显微镜", "0304", 320_00), ("X射线衍射仪", "0305", 260_00),
    ("气相色谱-质谱联用仪", "0303", 300_00), ("电子万能试验机", "0401", 150_00),
]  # fmt: skip
SERVICES = [
    ("金属材料拉伸性能检测", "0801", 280_00), ("水质常规指标检测", "0803", 180_00),
    ("电子电气产品有害物质检测", "0805", 450_00),
]  # fmt: skip


def seed_tracker_demo(*, seed: int = 2018) -> dict[str, int]:
    """Backfill the history (once) and the demo targets; returns what it added."""
    if Booking.objects.filter(purpose__startswith=MARK).exists():
        return {"uses": 0, "batches": 0, "caught_up": 0}
    rng = random.Random(seed)
    with transaction.atomic():
        plan_targets_ensure()
        hz_dept = _hangzhou_reviewer()
        places = {city: _city_setup(city, rng) for city in CITIES}
        uses, batches = _history(places, rng)
        _targets(hz_dept)
        # The booking demo writes its completed orders as rows: count them too.
        caught_up = usage_events_backfill()
    return {"uses": uses, "batches": batches, "caught_up": caught_up}


def _hangzhou_reviewer() -> Organisation:
    """The Hangzhou city reviewer (hz-dept@demo.labshare.cn), scoped to 330100."""
    user = accounts_demo.demo_user(HZ_DEPT_EMAIL, "孙慧敏")
    dept = accounts_demo.organisation(Organisation.Kind.DEPARTMENT, "杭州市科学技术局", "330100")
    DepartmentProfile.objects.get_or_create(
        organisation=dept, defaults={"region_scope_id": "330100"}
    )
    accounts_demo.member(user, dept)
    return dept


def _categories() -> dict[str, Category]:
    out: dict[str, Category] = {}
    for code, zh, en, parent in CATEGORIES:
        out[code], _ = Category.objects.get_or_create(
            code=code, defaults={"name_zh": zh, "name_en": en, "parent": out.get(parent)}
        )
    return out


def _counties(city: str) -> list[str]:
    return list(
        Region.objects.filter(parent_id=city, level=Region.Level.COUNTY).values_list(
            "code", flat=True
        )
    ) or [city]


def _city_setup(city: str, rng: random.Random) -> dict:
    """The city's providers (the catalogue's, or one demo inspection institute) with
    their instruments and services, its lab manager, and a few firms."""
    name = Region.objects.get(code=city).name_zh
    counties = _counties(city)
    providers = list(
        Organisation.objects.filter(
            kind=Organisation.Kind.PROVIDER, region__code__startswith=city[:4]
        ).order_by("pk")
    )
    if not providers:
        providers = [_provider(f"{name}检验检测研究院", counties[0])]
    instruments = list(Instrument.objects.filter(provider__in=providers).order_by("pk")[:8])
    services = list(TestingService.objects.filter(provider__in=providers).order_by("pk")[:8])
    if not instruments:
        instruments = _instruments(providers[0], name)
    if not services:
        services = _services(providers[0], name)
    managers = {p.pk: _manager(p) for p in providers}
    firms = [_firm(city, counties, name, i, rng) for i in range(4)]
    return {"instruments": instruments, "services": services, "managers": managers,
            "firms": firms}  # fmt: skip


def _provider(name: str, county: str) -> Organisation:
    org = accounts_demo.organisation(Organisation.Kind.PROVIDER, name, county)
    ProviderProfile.objects.get_or_create(
        organisation=org,
        defaults={"kind": ProviderProfile.Kind.INSPECTION_CENTRE,
                  "description": f"{name}面向小微企业开放仪器设备与检验检测服务。"},
    )  # fmt: skip
    return org


def _instruments(provider: Organisation, city_name: str) -> list[Instrument]:
    categories = _categories()
    out = []
    for name, code, rate in INSTRUMENTS:
        inst, created = Instrument.objects.get_or_create(
            provider=provider, name=name,
            defaults={"category": categories[code], "original_value_fen": 120_0000_00,
                      "location": f"{city_name}检测大楼"},
        )  # fmt: skip
        if created:
            Price.objects.create(instrument=inst, client_group="external_firm", per_hour_fen=rate)
        out.append(inst)
    return out


def _services(provider: Organisation, city_name: str) -> list[TestingService]:
    categories = _categories()
    return [
        TestingService.objects.get_or_create(
            provider=provider, name=name,
            defaults={"category": categories[code], "standards": "GB/T 228.1-2021",
                      "price_fen": price, "turnaround_days": 5},
        )[0]
        for name, code, price in SERVICES
    ]  # fmt: skip


def _manager(provider: Organisation) -> User:
    membership = provider.memberships.select_related("user").order_by("pk").first()
    if membership is not None:
        return membership.user
    user, _ = User.objects.get_or_create(
        email=f"lab-{provider.pk}@demo.labshare.cn", defaults={"full_name": "实验室管理员"}
    )
    accounts_demo.member(user, provider)
    return user


def _firm(city: str, counties: list[str], city_name: str, i: int, rng: random.Random):
    county = counties[i % len(counties)]
    name = f"{city_name}{FIRM_WORDS[(int(city[2:4]) + i) % len(FIRM_WORDS)]}{i + 1}号有限公司"
    org = accounts_demo.organisation(Organisation.Kind.FIRM, name, county)
    micro = i % 3 == 2
    FirmProfile.objects.get_or_create(
        organisation=org,
        defaults={
            "uscc": accounts_demo.valid_uscc(f"91{county}MA{int(city[2:4]) * 10 + i:07d}"),
            "industry": IndustrySizeRule.objects.get(code="industry"),
            "employees": 12 if micro else 45 + 10 * i,
            "revenue_fen": (2_500_000 if micro else 9_000_000 + 1_000_000 * i) * 100,
            "size_class": FirmProfile.Size.MICRO if micro else FirmProfile.Size.SMALL,
            "size_reason": "演示数据",
            "verification": FirmProfile.Verification.VERIFIED,
        },
    )
    user, _ = User.objects.get_or_create(
        email=f"firm-{org.pk}@demo.labshare.cn", defaults={"full_name": f"{city_name}企业用户"}
    )
    accounts_demo.member(user, org)
    return org, user


def _history(places: dict, rng: random.Random) -> tuple[int, int]:
    today = timezone.localdate()
    now = timezone.now()
    done: list[tuple[str, object, dt.datetime]] = []
    for year, (uses, batches) in YEARS.items():
        if year > today.year:
            continue
        for kind, total in (("use", uses), ("batch", batches)):
            for _ in range(total):
                city = _pick_city(year, rng)
                when = _moment(year, rng, today)
                if when >= now:
                    continue
                done.append((kind, city, when))
    done.sort(key=lambda row: row[2])
    bookings = [_booking(places[c], w, rng) for k, c, w in done if k == "use"]
    requests = [_request(places[c], w, rng) for k, c, w in done if k == "batch"]
    _write(bookings, requests)
    return len(bookings), len(requests)


def _pick_city(year: int, rng: random.Random) -> str:
    open_cities = [(c, share) for c, (share, first) in CITIES.items() if first <= year]
    return rng.choices([c for c, _ in open_cities], weights=[s for _, s in open_cities])[0]


def _moment(year: int, rng: random.Random, today: dt.date) -> dt.datetime:
    last_month = today.month if year == today.year else 12
    month = rng.choices(range(1, last_month + 1), weights=MONTHS[:last_month])[0]
    day = rng.randint(1, 28)
    if year == today.year and month == today.month:
        day = rng.randint(1, max(1, today.day - 1))
    hour = rng.randint(9, 15)
    return dt.datetime(year, month, day, hour, rng.choice((0, 30)),
                       tzinfo=timezone.get_default_timezone())  # fmt: skip


def _booking(place: dict, start: dt.datetime, rng: random.Random) -> dict:
    instrument = rng.choice(place["instruments"])
    firm, user = rng.choice(place["firms"])
    minutes = rng.choice((60, 90, 120, 120, 180, 240))
    rate = instrument.external_price_fen or 200_00
    return {"instrument": instrument, "firm": firm, "user": user, "start": start,
            "minutes": minutes, "rate": rate,
            "manager": place["managers"].get(instrument.provider_id)}  # fmt: skip


def _request(place: dict, done_at: dt.datetime, rng: random.Random) -> dict:
    service = rng.choice(place["services"])
    firm, user = rng.choice(place["firms"])
    samples = rng.choice((1, 2, 3, 3, 5, 8, 12))
    late = rng.random() < 0.08
    due = (done_at - dt.timedelta(days=2 if late else -1)).date()
    return {"service": service, "firm": firm, "user": user, "done_at": done_at,
            "samples": samples, "due": due,
            "manager": place["managers"].get(service.provider_id)}  # fmt: skip


def _write(bookings: list[dict], requests: list[dict]) -> None:
    rows = Booking.objects.bulk_create([_booking_row(b) for b in bookings], batch_size=500)
    Session.objects.bulk_create(
        [Session(booking=row, actual_start_at=row.start_at, actual_end_at=row.end_at,
                 operator=b["manager"] or b["user"]) for row, b in zip(rows, bookings, strict=True)],
        batch_size=500,
    )  # fmt: skip
    srs = ServiceRequest.objects.bulk_create([_request_row(r) for r in requests], batch_size=500)
    history = [h for row, b in zip(rows, bookings, strict=True) for h in _booking_history(row, b)]
    history += [h for sr, r in zip(srs, requests, strict=True) for h in _request_history(sr, r)]
    StateChange.objects.bulk_create(history, batch_size=1000)
    # Counted as the subscriber would (the same facts and values), in bulk: the events
    # set-based, then the counters rebuilt from them (a call per order took most of
    # seed_demo's time).
    usage_record_many(
        [Completion(OrderKind.BOOKING, row.pk, row.end_at, row.fee_fen) for row in rows]
        + [Completion(OrderKind.SERVICE_REQUEST, sr.pk, sr.updated_at, sr.fee_fen) for sr in srs]
    )


def _booking_row(b: dict) -> Booking:
    end = b["start"] + dt.timedelta(minutes=b["minutes"])
    fee = b["rate"] * b["minutes"] // 60
    return Booking(
        instrument=b["instrument"], firm=b["firm"], booked_by=b["user"], start_at=b["start"],
        end_at=end, purpose=f"{MARK}样品表征", status=Booking.Status.COMPLETED,
        rate_per_hour_fen=b["rate"], quote_fen=fee, fee_fen=fee,
        created_at=b["start"] - dt.timedelta(days=3), updated_at=end,
    )  # fmt: skip


def _booking_history(row: Booking, b: dict) -> list[StateChange]:
    return [
        StateChange(booking=row, from_status="", to_status="approved", actor=b["user"],
                    at=row.created_at),
        StateChange(booking=row, from_status="approved", to_status="checked_in",
                    actor=b["manager"], at=row.start_at),
        StateChange(booking=row, from_status="checked_in", to_status="completed",
                    actor=b["manager"], at=row.end_at),
    ]  # fmt: skip


def _request_row(r: dict) -> ServiceRequest:
    service = r["service"]
    fee = service.quote_fen(r["samples"])
    received = r["done_at"] - dt.timedelta(days=5)
    return ServiceRequest(
        service=service, firm=r["firm"], requested_by=r["user"], sample_count=r["samples"],
        sample_description=f"{MARK}送检样品 {r['samples']} 件", status=ServiceRequest.Status.COMPLETED,
        quote_fen=fee, fee_fen=fee, due_on=r["due"], samples_received_at=received,
        reported_at=r["done_at"] - dt.timedelta(days=1), report_number=f"DEMO-{r['done_at']:%Y%m%d%H%M}",
        created_at=received - dt.timedelta(days=2), updated_at=r["done_at"],
    )  # fmt: skip


def _request_history(sr: ServiceRequest, r: dict) -> list[StateChange]:
    return [
        StateChange(service_request=sr, from_status="", to_status="submitted", actor=r["user"],
                    at=sr.created_at),
        StateChange(service_request=sr, from_status="reported", to_status="completed",
                    actor=r["user"], at=sr.updated_at),
    ]  # fmt: skip


def _targets(hz_dept: Organisation) -> None:
    """Beyond the plan's two: this year's province targets and Hangzhou's own."""
    year = timezone.localdate().year
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    rows = [
        (f"{year} 年全省仪器设备开放", UsageKind.USE, "330000", 620, None),
        (f"{year} 年全省检验检测服务", UsageKind.BATCH, "330000", 900, None),
        (f"{year} 年杭州市仪器设备开放", UsageKind.USE, "330100", 170, hz_dept),
        (f"{year} 年杭州市检验检测服务", UsageKind.BATCH, "330100", 240, hz_dept),
    ]
    for name, kind, region, count, dept in rows:
        Target.objects.get_or_create(
            name=name, kind=kind, region_id=region, starts_on=start, ends_on=end,
            defaults={"target_count": count, "department": dept},
        )  # fmt: skip


__all__ = ["seed_tracker_demo"]
