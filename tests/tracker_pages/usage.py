"""Usage events for page tests: an event row plus the tracker's own counter upsert
(tracker.counters.counters_add), as the completion subscriber writes them, without
driving a booking through check-out for each of hundreds of rows."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from tracker.counters import counters_add
from tracker.models import UsageEvent, UsageKind

_order_ids = itertools.count(1_000_000)


def record_use(*, instrument, firm, day: dt.date, minutes: int = 120, fee_fen: int = 400_00,
               outside: bool = True, voucher_fen: int = 0) -> UsageEvent:  # fmt: skip
    provider = instrument.provider
    return _record(
        kind=UsageKind.USE, order_kind="booking", instrument_id=instrument.pk, service_id=None,
        category_id=instrument.category_id, provider=provider, firm=firm, day=day,
        minutes=minutes, samples=0, fee_fen=fee_fen, voucher_fen=voucher_fen, outside=outside,
        on_time=None,
    )  # fmt: skip


def record_batch(*, service, firm, day: dt.date, samples: int = 3, fee_fen: int = 900_00,
                 on_time: bool | None = True) -> UsageEvent:  # fmt: skip
    return _record(
        kind=UsageKind.BATCH, order_kind="service_request", instrument_id=None,
        service_id=service.pk, category_id=service.category_id, provider=service.provider,
        firm=firm, day=day, minutes=0, samples=samples, fee_fen=fee_fen, voucher_fen=0,
        outside=True, on_time=on_time,
    )  # fmt: skip


def _city(code: str) -> str:
    return code[:4] + "00"


def _record(*, kind, order_kind, instrument_id, service_id, category_id, provider, firm, day,
            minutes, samples, fee_fen, voucher_fen, outside, on_time) -> UsageEvent:  # fmt: skip
    completed_at = timezone.make_aware(dt.datetime.combine(day, dt.time(15)))
    values = {
        "order_kind": order_kind,
        "order_id": next(_order_ids),
        "kind": kind,
        "completed_at": completed_at,
        "completed_on": day,
        "month": day.replace(day=1),
        "provider_id": provider.pk,
        "provider_county": provider.region_id,
        "provider_city": _city(provider.region_id),
        "firm_id": firm.pk,
        "firm_county": firm.region_id,
        "firm_city": _city(firm.region_id),
        "instrument_id": instrument_id,
        "service_id": service_id,
        "category_id": category_id,
        "firm_size": firm.firm.size_class,
        "is_outside": outside,
        "minutes": minutes,
        "samples": samples,
        "on_time": on_time,
        "fee_fen": fee_fen,
        "voucher_fen": voucher_fen,
    }
    event = UsageEvent.objects.create(**values)
    counters_add({**values, "id": event.pk})
    return event
