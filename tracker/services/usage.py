"""One usage event per completed order, and the counters, in the completion's transaction.

``on_order_event`` is subscribed as ``tracker.usage`` (tracker.apps). On PostgreSQL the
event is written by the completion trigger at the completion's COMMIT
(tracker.usage_trigger: the order's facts read, the event inserted with ``ON CONFLICT DO
NOTHING`` on (order kind, order id) and, only when that wrote a row, queued for the
counters, tracker.services.fold); the subscriber only schedules the fold. On SQLite the
subscriber reads the facts, inserts the event and adds it to every counter itself
(``usage_record``). Either way it happens in the completion's transaction: a completion
that rolls back leaves neither event nor count; one retried after a commit finds the
event there and adds nothing. That is invariant 4 (docs/tracker.md).
"""

from __future__ import annotations

import datetime as dt
import functools

from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from booking.models import Booking, ServiceRequest
from booking.order_events import OrderEvent, OrderKind
from booking.services.booking_rules import used_minutes
from facilities.models import Price
from tracker.counters import counters_add, event_and_queue_sql
from tracker.models import UsageEvent, UsageKind
from tracker.services.fold import fold_after_completion
from tracker.usage_trigger import usage_triggers_fire
from vouchers.models import OrderVoucherHold

COMPLETED = "completed"


def on_order_event(event: OrderEvent) -> None:
    """The ``tracker.usage`` subscriber: count completions, ignore every other move.
    On PostgreSQL the event is written at the completion's COMMIT by the completion
    trigger (tracker.usage_trigger), which runs ``usage_record_sql``: here only the fold
    is scheduled (and, with Celery inline, the trigger fired and the fold run now). On
    SQLite the event is written here, and every counter with it."""
    if event.to_status != COMPLETED:
        return
    if connection.vendor == "postgresql":
        # A fold run inline must find this completion's event: fire the trigger first.
        fold_after_completion(before_inline_fold=usage_triggers_fire)
        return
    usage_record(
        order_kind=event.order_kind,
        order_id=event.order_id,
        completed_at=event.at,
        fee_fen=event.fee_fen,
        voucher_fen=voucher_part_fen(order_kind=event.order_kind, order_id=event.order_id),
    )


def voucher_part_fen(*, order_kind: str, order_id: int) -> int:
    """The part of the fee paid by vouchers: what the vouchers app captured for the order,
    which it did just before, on the same completion event (subscribers run in order:
    vouchers.money, then tracker.usage). Reconciliation does not recount it from the
    orders; it rebuilds the counters from the events."""
    captured = OrderVoucherHold.objects.filter(
        order_kind=order_kind, order_id=order_id, state=OrderVoucherHold.State.CAPTURED
    ).aggregate(total=Sum("captured_fen"))["total"]
    return captured or 0


def usage_record(
    *, order_kind: str, order_id: int, completed_at: dt.datetime, fee_fen: int, voucher_fen: int
) -> bool:
    """Insert the usage event of a completed order unless it exists, and count it.
    Returns whether it was new. Must run inside the completion's transaction."""
    facts = order_facts(order_kind, order_id)
    if facts is None:
        return False
    values = usage_values(
        facts=facts, order_kind=order_kind, order_id=order_id, completed_at=completed_at,
        fee_fen=fee_fen, voucher_fen=voucher_fen,
    )  # fmt: skip
    return _insert_and_count(values)


def usage_values(
    *, facts: dict, order_kind: str, order_id: int, completed_at: dt.datetime, fee_fen: int,
    voucher_fen: int,
) -> dict:  # fmt: skip
    """Every column of the usage event: the order's facts (``order_facts``) and the
    completion's values."""
    return {
        **facts,
        **completion_values(
            order_kind=order_kind, order_id=order_id, completed_at=completed_at, fee_fen=fee_fen
        ),
        "voucher_fen": min(voucher_fen, fee_fen),
    }


def completion_values(
    *, order_kind: str, order_id: int, completed_at: dt.datetime, fee_fen: int | None
) -> dict:
    """The event's values that come from the completion rather than the order's rows
    (the same for the one-statement path and the Python one): the order, when (and its
    day and month in Asia/Shanghai), the fee, and when it was recorded."""
    day = timezone.localtime(completed_at).date()
    return {
        "order_kind": order_kind,
        "order_id": order_id,
        "completed_at": completed_at,
        "completed_on": day,
        "month": day.replace(day=1),
        "fee_fen": fee_fen,
        "recorded_at": timezone.now(),
    }


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
    return order_facts_many(order_kind, [order_id]).get(order_id)


def order_facts_many(order_kind: str, order_ids: list[int]) -> dict[int, dict]:
    """``order_facts`` of many orders of one kind, a query per 500: {order id: facts}."""
    if order_kind == OrderKind.BOOKING:
        model, names, build = Booking, _BOOKING_FACTS, _booking_facts
    else:
        model, names, build = ServiceRequest, _REQUEST_FACTS, _request_facts
    out = {}
    for i in range(0, len(order_ids), 500):
        rows = model.objects.filter(pk__in=order_ids[i : i + 500]).values_list("pk", *names)
        out.update({pk: build(*row) for pk, *row in rows})
    return out


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


def _insert_and_count(values: dict) -> bool:
    """INSERT … ON CONFLICT (order_kind, order_id) DO NOTHING, then the counters only if
    a row went in. One statement on PostgreSQL (tracker.counters.event_and_queue_sql);
    on SQLite, which has no writing CTEs, the same steps one after the other."""
    fields = [f for f in UsageEvent._meta.concrete_fields if not f.primary_key]
    params = [f.get_db_prep_save(values[f.attname], connection) for f in fields]
    insert = _event_insert_sql()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(event_and_queue_sql(insert), params)
            inserted = cursor.fetchone()[0] == 1
            if inserted:
                fold_after_completion()
            return inserted
        cursor.execute(insert, params)
        if cursor.rowcount != 1:
            return False
        values = {**values, "id": cursor.lastrowid}
    counters_add(values)
    return True


@functools.cache
def _event_insert_sql() -> str:
    fields = [f for f in UsageEvent._meta.concrete_fields if not f.primary_key]
    q = connection.ops.quote_name
    return (
        f"INSERT INTO {UsageEvent._meta.db_table} ({', '.join(q(f.column) for f in fields)})"  # noqa: S608
        f" VALUES ({', '.join(['%s'] * len(fields))})"
        " ON CONFLICT (order_kind, order_id) DO NOTHING"
    )
