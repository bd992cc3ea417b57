"""One usage event per completed order, and the counters, in the completion's transaction.

``on_order_event`` is subscribed as ``tracker.usage`` (tracker.apps). On a move to
``completed`` it reads the order's facts in one query, inserts the event with
``ON CONFLICT DO NOTHING`` on (order kind, order id) and, only when that insert wrote a
row, adds the event to the counters. Everything happens in the publisher's transaction:
a completion that rolls back leaves neither event nor count; one retried after a commit
finds the event there and adds nothing. That is invariant 4 (docs/tracker.md).
"""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.utils import timezone

from booking.models import Booking, ServiceRequest
from booking.order_events import OrderEvent, OrderKind
from booking.services.booking_rules import used_minutes
from facilities.models import Price
from tracker.counters import counters_add
from tracker.models import UsageEvent, UsageKind

COMPLETED = "completed"


def on_order_event(event: OrderEvent) -> None:
    """The ``tracker.usage`` subscriber: count completions, ignore every other move."""
    if event.to_status == COMPLETED:
        usage_record(
            order_kind=event.order_kind,
            order_id=event.order_id,
            completed_at=event.at,
            fee_fen=event.fee_fen,
            voucher_fen=voucher_part_fen(order_kind=event.order_kind, order_id=event.order_id),
        )


def voucher_part_fen(*, order_kind: str, order_id: int) -> int:
    """The part of the fee paid by vouchers. The hook for the vouchers app, which runs
    before the tracker on the same event: until it exposes the captured amount of an
    order, nothing is paid by voucher and the column holds 0 (reconciliation does not
    recount it from the orders, it only rebuilds the counters from the events)."""
    return 0


def usage_record(
    *, order_kind: str, order_id: int, completed_at: dt.datetime, fee_fen: int, voucher_fen: int
) -> bool:
    """Insert the usage event of a completed order unless it exists, and count it.
    Returns whether it was new. Must run inside the completion's transaction."""
    facts = order_facts(order_kind, order_id)
    if facts is None:
        return False
    day = timezone.localtime(completed_at).date()
    values = {
        **facts,
        "order_kind": order_kind,
        "order_id": order_id,
        "completed_at": completed_at,
        "completed_on": day,
        "month": day.replace(day=1),
        "fee_fen": fee_fen,
        "voucher_fen": min(voucher_fen, fee_fen),
        "recorded_at": timezone.now(),
    }
    if not _insert_once(values):
        return False
    counters_add(values)
    return True


_BOOKING_FACTS = (
    "instrument_id", "instrument__category_id", "instrument__provider_id",
    "instrument__provider__region_id", "firm_id", "firm__region_id", "firm__firm__size_class",
    "client_group", "session__actual_start_at", "session__actual_end_at",
)  # fmt: skip
_REQUEST_FACTS = (
    "service_id", "service__category_id", "service__provider_id",
    "service__provider__region_id", "firm_id", "firm__region_id", "firm__firm__size_class",
    "sample_count", "due_on", "reported_at",
)  # fmt: skip


def order_facts(order_kind: str, order_id: int) -> dict | None:
    """What the event copies from the order, read in one query (None if it is gone)."""
    if order_kind == OrderKind.BOOKING:
        row = Booking.objects.filter(pk=order_id).values_list(*_BOOKING_FACTS).first()
        return None if row is None else _booking_facts(*row)
    row = ServiceRequest.objects.filter(pk=order_id).values_list(*_REQUEST_FACTS).first()
    return None if row is None else _request_facts(*row)


def _where(provider_id, provider_region, firm_id, firm_region, size) -> dict:
    return {
        "provider_id": provider_id,
        "provider_county": provider_region or "",
        "provider_city": _city(provider_region),
        "firm_id": firm_id,
        "firm_county": firm_region or "",
        "firm_city": _city(firm_region),
        "firm_size": size or "",
    }


def _booking_facts(instrument, category, provider, p_region, firm, f_region, size, group,
                   start, end) -> dict:  # fmt: skip
    return {
        **_where(provider, p_region, firm, f_region, size),
        "kind": UsageKind.USE.value,
        "instrument_id": instrument,
        "service_id": None,
        "category_id": category,
        "is_outside": group != Price.ClientGroup.INTERNAL,
        "minutes": used_minutes(start, end) if start and end else 0,
        "samples": 0,
        "on_time": None,
    }


def _request_facts(service, category, provider, p_region, firm, f_region, size, samples,
                   due_on, reported_at) -> dict:  # fmt: skip
    on_time = None
    if due_on is not None and reported_at is not None:
        on_time = timezone.localtime(reported_at).date() <= due_on
    return {
        **_where(provider, p_region, firm, f_region, size),
        "kind": UsageKind.BATCH.value,
        "instrument_id": None,
        "service_id": service,
        "category_id": category,
        # A testing request always comes from a firm, never the lab's own organisation.
        "is_outside": firm != provider,
        "minutes": 0,
        "samples": samples,
        "on_time": on_time,
    }


def _city(code: str | None) -> str:
    if not code:
        return ""
    return code if code.endswith("0000") else code[:4] + "00"


def _insert_once(values: dict) -> bool:
    """INSERT … ON CONFLICT (order_kind, order_id) DO NOTHING; True when a row went in."""
    fields = [f for f in UsageEvent._meta.concrete_fields if not f.primary_key]
    cols = [f.column for f in fields]
    params = [f.get_db_prep_save(values[f.attname], connection) for f in fields]
    q = connection.ops.quote_name
    sql = (
        f"INSERT INTO {UsageEvent._meta.db_table} ({', '.join(q(c) for c in cols)})"  # noqa: S608
        f" VALUES ({', '.join(['%s'] * len(cols))})"
        " ON CONFLICT (order_kind, order_id) DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount == 1
