"""Reconciliation: recount the events from the orders and the counters from the events.

``reconciliation_run`` compares, for a period of completion days (or all time):

1. orders vs events: every completed booking and testing request has exactly one usage
   event (``missing``: completed without an event; ``orphans``: an event whose order is
   not completed);
2. events vs counters: each counter table (tracker.counters.COUNTERS) equals the
   GROUP BY of the events at its grain. Done in SQL with EXCEPT both ways, so even
   15 million events never travel to Python.

The comparison reads ``replica_alias()``. With ``repair=True`` it then, on the primary:
inserts the missing events through the subscriber's own path (``usage_record``: which
adds them to the counters), and rebuilds every counter table that differed for the
period from the events, holding a lock on the counter tables (in the subscribers' table
order) so that no completion's upsert interleaves with the rebuild. Each run is recorded
as a ``ReconciliationRun``.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import connection, connections, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from booking.models import Booking, ServiceRequest, StateChange
from booking.order_events import OrderKind
from config.db_router import replica_alias
from tracker.counters import COUNTERS, CounterSpec
from tracker.models import ReconciliationRun, UsageEvent
from tracker.services.usage import usage_record, voucher_part_fen

log = logging.getLogger(__name__)
SAMPLE = 20  # order ids kept in a run's details, per kind of difference
_ORDERS = {OrderKind.BOOKING: Booking, OrderKind.SERVICE_REQUEST: ServiceRequest}


def reconciliation_run(
    *, period_from: dt.date | None = None, period_to: dt.date | None = None, repair: bool = False
) -> ReconciliationRun:
    """Compare (and with ``repair`` rebuild) and record the run. Returns it."""
    run = ReconciliationRun.objects.create(period_from=period_from, period_to=period_to)
    details = compare(period_from, period_to)
    differences = _total(details)
    if repair and differences:
        _repair(details, period_from, period_to)
        details["after_repair"] = compare(period_from, period_to)
    run.details = details
    run.differences = differences
    run.repaired = bool(repair and differences)
    run.finished_at = timezone.now()
    run.save(update_fields=["details", "differences", "repaired", "finished_at"])
    if differences:
        log.warning("tracker reconciliation found %s differences: %s", differences, details)
    return run


def reconciliation_last() -> ReconciliationRun | None:
    """The latest finished run, for "last reconciled: …, N differences"."""
    return (
        ReconciliationRun.objects.using(replica_alias())
        .filter(finished_at__isnull=False)
        .order_by("-finished_at")
        .first()
    )


def _total(details: dict) -> int:
    orders = sum(d["missing"] + d["orphans"] for d in details["orders"].values())
    return orders + sum(details["counters"].values())


def compare(period_from: dt.date | None, period_to: dt.date | None) -> dict:
    db = replica_alias()
    orders = {}
    for kind, model in _ORDERS.items():
        missing = _missing(model, kind, period_from, period_to, db)
        orphans = _orphans(model, kind, period_from, period_to, db)
        orders[kind] = {
            "missing": missing.count(),
            "missing_ids": list(missing.values_list("pk", flat=True)[:SAMPLE]),
            "orphans": orphans.count(),
            "orphan_ids": list(orphans.values_list("order_id", flat=True)[:SAMPLE]),
        }
    counters = {
        spec.table: _counter_differences(spec, period_from, period_to, db) for spec in COUNTERS
    }
    return {"orders": orders, "counters": counters}


def _completion_window(model, period_from, period_to):
    """Orders by completion day: their last move (``updated_at``) is the completion."""
    rows = model.objects.filter(status="completed")
    tz = timezone.get_default_timezone()
    if period_from:
        rows = rows.filter(updated_at__gte=dt.datetime.combine(period_from, dt.time.min, tz))
    if period_to:
        end = dt.datetime.combine(period_to + dt.timedelta(days=1), dt.time.min, tz)
        rows = rows.filter(updated_at__lt=end)
    return rows


def _missing(model, kind, period_from, period_to, db):
    events = UsageEvent.objects.filter(order_kind=kind, order_id=OuterRef("pk"))
    rows = _completion_window(model, period_from, period_to).using(db)
    return rows.filter(~Exists(events)).order_by("pk")


def _orphans(model, kind, period_from, period_to, db):
    completed = model.objects.filter(pk=OuterRef("order_id"), status="completed")
    rows = UsageEvent.objects.using(db).filter(order_kind=kind)
    if period_from:
        rows = rows.filter(completed_on__gte=period_from)
    if period_to:
        rows = rows.filter(completed_on__lte=period_to)
    return rows.filter(~Exists(completed)).order_by("order_id")


def _bounds(spec: CounterSpec, period_from, period_to) -> tuple[dt.date | None, dt.date | None]:
    """A month-grain table is compared over whole months."""
    if spec.period == "month":
        return (
            period_from.replace(day=1) if period_from else None,
            period_to.replace(day=1) if period_to else None,
        )
    return period_from, period_to


def _where(column: str, start, end) -> tuple[str, list]:
    clauses, params = ["1 = 1"], []
    if start:
        clauses.append(f"{column} >= %s")
        params.append(start)
    if end:
        clauses.append(f"{column} <= %s")
        params.append(end)
    return " AND ".join(clauses), params


def _recount(spec: CounterSpec, start, end) -> tuple[str, list]:
    event_col = "completed_on" if spec.period == "day" else "month"
    where, params = _where(event_col, start, end)
    return spec.recount_select(where), params


def _stored(spec: CounterSpec, start, end) -> tuple[str, list]:
    cols = ", ".join([*spec.keys, *spec.sums])
    where, params = _where(spec.period_column, start, end)
    return f"SELECT {cols} FROM {spec.table} WHERE {where}", params  # noqa: S608


def _counter_differences(spec: CounterSpec, period_from, period_to, db) -> int:
    """Keys whose counter row differs from the events' recount (either side missing
    counts too), by EXCEPT both ways."""
    start, end = _bounds(spec, period_from, period_to)
    recount, p1 = _recount(spec, start, end)
    stored, p2 = _stored(spec, start, end)
    keys = ", ".join(spec.keys)
    sql = (
        f"SELECT COUNT(*) FROM (SELECT {keys} FROM ({recount} EXCEPT {stored}) a"  # noqa: S608
        f" UNION SELECT {keys} FROM ({stored} EXCEPT {recount}) b) d"
    )
    with connections[db].cursor() as cursor:
        cursor.execute(sql, [*p1, *p2, *p2, *p1])
        return cursor.fetchone()[0]


def usage_events_backfill(
    period_from: dt.date | None = None, period_to: dt.date | None = None
) -> int:
    """Count the completed orders that have no usage event yet (orders written as rows,
    e.g. by an import or the booking demo), through the subscriber's own path."""
    return sum(
        _insert_missing(model, kind, period_from, period_to) for kind, model in _ORDERS.items()
    )


def _repair(details: dict, period_from, period_to) -> None:
    for kind, model in _ORDERS.items():
        if details["orders"][kind]["missing"]:
            _insert_missing(model, kind, period_from, period_to)
    # The counters are rebuilt after the missing events went in (and were counted), so
    # every table is compared again on the primary before it is rebuilt.
    for spec in COUNTERS:
        if _counter_differences(spec, period_from, period_to, "default"):
            _rebuild(spec, period_from, period_to)


def _insert_missing(model, kind, period_from, period_to) -> int:
    missing = _missing(model, kind, period_from, period_to, "default")
    added = 0
    field = "booking_id" if model is Booking else "service_request_id"
    for order in missing.iterator(chunk_size=500):
        done_at = (
            StateChange.objects.filter(**{field: order.pk}, to_status="completed")
            .values_list("at", flat=True)
            .first()
        ) or order.updated_at
        with transaction.atomic():
            added += usage_record(
                order_kind=kind,
                order_id=order.pk,
                completed_at=done_at,
                fee_fen=order.fee_fen if order.fee_fen is not None else order.quote_fen,
                voucher_fen=voucher_part_fen(order_kind=kind, order_id=order.pk),
            )
    return added


def _rebuild(spec: CounterSpec, period_from, period_to) -> None:
    start, end = _bounds(spec, period_from, period_to)
    recount, params = _recount(spec, start, end)
    where, delete_params = _where(spec.period_column, start, end)
    cols = ", ".join([*spec.keys, *spec.sums])
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Blocks the completions' upserts (not reads) until the rebuild commits; a
            # completion already holding a row here is waited for, and its event is
            # then part of the recount.
            cursor.execute(f"LOCK TABLE {spec.table} IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute(f"DELETE FROM {spec.table} WHERE {where}", delete_params)  # noqa: S608
        cursor.execute(f"INSERT INTO {spec.table} ({cols}) {recount}", params)  # noqa: S608
