"""Demo catalogue for seed_demo: 7 providers in 6 Zhejiang cities, 45 instruments, 24
testing services. Idempotent: rows are found by natural keys and never duplicated."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accounts.models import Accreditation, Organisation, ProviderProfile
from facilities.calendars import local_tz
from facilities.demo_data import CATEGORIES, INSTRUMENTS, PROVIDERS, SERVICES
from facilities.models import Blackout, Category, Instrument, OpeningHours, Price, TestingService
from facilities.services.accreditations import services_scope_refresh
from facilities.services.thesaurus import thesaurus_load

MORNING = (dt.time(8, 30), dt.time(12, 0))
AFTERNOON = (dt.time(13, 30), dt.time(17, 30))
FULL_DAY = (dt.time(8, 30), dt.time(17, 30))


def _categories() -> dict[str, Category]:
    out: dict[str, Category] = {}
    for code, zh, en, parent in CATEGORIES:
        category, _ = Category.objects.get_or_create(
            code=code, defaults={"name_zh": zh, "name_en": en, "parent": out.get(parent)}
        )
        out[code] = category
    return out


def _provider(key: str) -> Organisation:
    name, county, kind, address, contact, phone, description, accreditations = PROVIDERS[key]
    org, _ = Organisation.objects.get_or_create(
        kind=Organisation.Kind.PROVIDER, name=name,
        defaults={"region_id": county, "created_at": _listed_at()},
    )  # fmt: skip
    profile, _ = ProviderProfile.objects.get_or_create(
        organisation=org,
        defaults={"kind": kind, "address": address, "contact_name": contact,
                  "contact_phone": phone, "description": description},
    )  # fmt: skip
    expires = timezone.localdate() + dt.timedelta(days=3 * 365)
    for type_, number, scope in accreditations:
        Accreditation.objects.get_or_create(
            type=type_, certificate_no=number,
            defaults={"provider": profile, "expires_on": expires, "scope": scope},
        )  # fmt: skip
    return org


def _hours(instrument: Instrument, flags: set[str]) -> None:
    if instrument.opening_hours.exists():
        return
    bookable = not flags & {"approval", "training"}
    windows = [FULL_DAY] if bookable else [MORNING, AFTERNOON]
    days = range(6) if "saturday" in flags else range(5)
    OpeningHours.objects.bulk_create(
        OpeningHours(instrument=instrument, weekday=d, opens_at=o, closes_at=c)
        for d in days
        for o, c in windows
    )


def _prices(instrument: Instrument, external_yuan: int) -> None:
    for group, share in (("external_firm", 1.0), ("academic", 0.7), ("internal", 0.4)):
        Price.objects.get_or_create(
            instrument=instrument, client_group=group,
            defaults={"per_hour_fen": int(round(external_yuan * share)) * 100},
        )  # fmt: skip


def _listed_at() -> dt.datetime:
    """Listed before the demo's past orders (the tracker demo's history runs from 2018),
    so that none predates it; after the demo organisations joined (accounts.demo)."""
    return timezone.now() - dt.timedelta(days=9 * 366 + 100)


def _instrument(row, providers, categories, n: int) -> Instrument:
    key, cat, name, model, maker, country, value_wan, price, specs, uses, flags = row
    provider = providers[key]
    profile = provider.provider
    instrument, _ = Instrument.objects.get_or_create(
        provider=provider, name=name, model_number=model,
        defaults={
            "manufacturer": maker, "country_of_origin": country, "category": categories[cat],
            "original_value_fen": value_wan * 10_000 * 100, "specifications": specs, "main_uses": uses,
            "service_content": "可提供自主上机或委托测试；委托测试请提前联系确认样品要求。",
            "location": f"{profile.address.split('号')[0]}号 实验楼 {200 + n} 室",
            "contact_name": profile.contact_name, "contact_phone": profile.contact_phone,
            "contact_email": profile.contact_email,
            "start_of_use": dt.date(2015 + n % 9, 1 + n % 12, 1),
            "requires_approval": "approval" in flags, "requires_training": "training" in flags,
            "slot_minutes": 30, "min_minutes": 60 if "approval" in flags else 30,
            "max_minutes": 480, "lead_minutes": 120 if "approval" in flags else 60,
            "horizon_days": 60, "cancel_cutoff_hours": 24,
            "voucher_eligible": n % 7 != 3, "created_at": _listed_at(),
        },
    )  # fmt: skip
    _hours(instrument, flags)
    _prices(instrument, price)
    return instrument


def _service(row, providers, categories) -> TestingService:
    key, cat, name, standards, price, unit, days, samples, in_scope = row
    service, _ = TestingService.objects.get_or_create(
        provider=providers[key], name=name,
        defaults={
            "category": categories[cat], "standards": standards, "price_fen": price * 100,
            "price_unit": unit, "turnaround_days": days, "sample_requirements": samples,
            "description": f"依据 {standards.splitlines()[0]} 开展检测，出具检测报告。",
            "in_accredited_scope": in_scope, "voucher_eligible": True,
            "created_at": _listed_at(),
        },
    )  # fmt: skip
    return service


def _maintenance(instrument: Instrument) -> None:
    """A calibration window on a Sunday five weeks ahead (the lab is closed then anyway)."""
    day = timezone.localdate() + dt.timedelta(days=35)
    day += dt.timedelta(days=(6 - day.weekday()) % 7)
    start = dt.datetime.combine(day, dt.time(9), tzinfo=local_tz())
    Blackout.objects.get_or_create(
        instrument=instrument, reason="年度计量校准", source=Blackout.Source.MANUAL,
        defaults={"start_at": start, "end_at": start + dt.timedelta(hours=8)},
    )  # fmt: skip


def seed() -> dict[str, object]:
    thesaurus_load()  # a database made before the thesaurus shipped gets it too
    categories = _categories()
    providers = {key: _provider(key) for key in PROVIDERS}
    instruments = [_instrument(row, providers, categories, n) for n, row in enumerate(INSTRUMENTS)]
    services = [_service(row, providers, categories) for row in SERVICES]
    for provider in providers.values():  # a database seeded before scopes were matched
        services_scope_refresh(provider_id=provider.pk)
    _maintenance(next(i for i in instruments if i.requires_training))
    return {"instruments": instruments, "services": services, "providers": providers}
