"""Reconciliation: recount the events from the orders and the counters from the events.

``reconciliation_run`` compares, for a period of completion days (or all time):

1. orders vs events: every completed booking and testing request has exactly one usage
   event (``missing``: completed without an event; ``orphans``: an event whose order is
   not completed);
2. events vs counters, per month first: one GROUP BY of the events by day and kind
   gives every measure's sum and a checksum of each key column (SUM(key)); each counter
   table's GROUP BY month (day) and kind gives the same from its rows (SUM(count × key)).
   Only the months (days) where a table's figures differ are drilled into: there the
   events' GROUP BY at the table's grain ``EXCEPT`` the stored rows, both ways, counts the
   differing keys. FirstServed is compared per month by its rows and their firm ids.
   A few thousand buckets travel to Python, never the events.

The comparison reads ``replica_alias()``. With ``repair=True`` it then, on the primary:
inserts the missing events through the subscriber's own path (``usage_record``: which
adds them to the counters), and rebuilds every counter table that differed for the
period's differing months (days) from the events, holding a lock on the counter tables (in the subscribers' table
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
from tracker.counters import (
    COUNTERS,
    FIRMS_SERVED_TALLIES,
    FIRST_SERVED,
    SUM_COUNTERS,
    CounterSpec,
    FirmsServedSpec,
)
from tracker.models import ReconciliationRun, UnfoldedEvent, UsageEvent
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
    """Every comparison in one snapshot (REPEATABLE READ on PostgreSQL): a completion
    or a fold that commits meanwhile can never show as a difference."""
    db = replica_alias()
    if connections[db].vendor != "postgresql" or connections[db].in_atomic_block:
        return _compare(period_from, period_to, db)  # SQLite: one writer; or the caller's
    with transaction.atomic(using=db), connections[db].cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        return _compare(period_from, period_to, db)


def _compare(period_from, period_to, db) -> dict:
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
    counters, buckets = counters_compare(period_from, period_to, db)
    return {"orders": orders, "counters": counters, "buckets": buckets}


def counters_compare(period_from, period_to, db) -> tuple[dict[str, int], dict[str, list]]:
    """Per counter table: the keys that differ from the events, and the months (days for
    DailyUsage) in which they lie, as ISO dates. Per-bucket figures first; the keys only
    in the buckets that differ."""
    events = _event_buckets(period_from, period_to, db)
    queued = _event_buckets(period_from, period_to, db, queued=True)
    counters, buckets = {}, {}
    for spec in COUNTERS:
        start, end = _bounds(spec, period_from, period_to)
        if spec is FIRST_SERVED:
            expected = _first_served_expected(start, end, db)
        else:
            # What the fold queue still holds is not in the tables yet.
            expected = _minus(
                _expected(spec, events, start, end), _expected(spec, queued, start, end)
            )
        stored = _stored_buckets(spec, start, end, db)
        differing = sorted(
            {b[0] for b in expected.keys() | stored.keys() if expected.get(b) != stored.get(b)}
        )
        counters[spec.table] = (
            _counter_differences(spec, start, end, db, periods=differing) if differing else 0
        )
        buckets[spec.table] = [d.isoformat() for d in differing]
    for tally in FIRMS_SERVED_TALLIES:
        years = firms_served_differences(period_from, period_to, db, tally)
        counters[tally.table] = sum(years.values())
        buckets[tally.table] = [y.isoformat() for y in sorted(years)]
    return counters, buckets


def firms_served_differences(
    period_from, period_to, db, tally: FirmsServedSpec
) -> dict[dt.date, int]:
    """A firms-served tally against its recount from the firm tables it counts (which the
    counters' comparison holds to the events): {year: keys that differ}."""
    years = _years(period_from, period_to)
    with connections[db].cursor() as cursor:
        expected = tally.recount(cursor, years)
        stored = tally.stored(cursor, years)
    differing: dict[dt.date, int] = {}
    for key in expected.keys() | stored.keys():
        if expected.get(key) != stored.get(key):
            differing[key[0]] = differing.get(key[0], 0) + 1
    return differing


def _years(period_from, period_to) -> tuple[dt.date, dt.date] | None:
    if period_from is None and period_to is None:
        return None
    first = dt.date(period_from.year, 1, 1) if period_from else dt.date(1, 1, 1)
    last = dt.date(period_to.year, 1, 1) if period_to else dt.date(9999, 1, 1)
    return first, last


def _checksum_columns() -> dict[str, CounterSpec]:
    out = {}
    for spec in SUM_COUNTERS:
        for key in spec.checksum_keys:
            out.setdefault(key, spec)
    return out


def _measures() -> tuple[str, ...]:
    from tracker.counters import _SUMS

    return tuple(_SUMS)


def _minus(expected: dict[tuple, tuple], queued: dict[tuple, tuple]) -> dict[tuple, tuple]:
    out = dict(expected)
    for bucket, values in queued.items():
        left = tuple(a - b for a, b in zip(out[bucket], values, strict=True))
        if any(left):
            out[bucket] = left
        else:
            del out[bucket]
    return out


def _unqueued(column: str = "id") -> str:
    """Events that the folded counters hold: those not waiting in the fold queue."""
    return f"{column} NOT IN (SELECT event_id FROM {UnfoldedEvent._meta.db_table})"  # noqa: S608


def _event_buckets(period_from, period_to, db, *, queued: bool = False) -> list[tuple]:
    """[(day, month, kind, {figure: value})]: every measure and key checksum of the
    events (only those in the fold queue if ``queued``), by completion day and kind,
    over the whole years of the period (the year tables are compared over whole years;
    the others pick their own buckets)."""
    from tracker.counters import _SUMS

    checks = _checksum_columns()
    figures = [f"SUM({_SUMS[m][0]})" for m in _measures()]
    figures += [spec.checksum_sql(key, stored=False) for key, spec in checks.items()]
    start = period_from.replace(month=1, day=1) if period_from else None
    end = period_to.replace(month=12, day=31) if period_to else None
    where, params = _where("completed_on", start, end)
    if queued:
        where += f" AND id IN (SELECT event_id FROM {UnfoldedEvent._meta.db_table})"  # noqa: S608
    sql = (
        f"SELECT completed_on, month, kind, {', '.join(figures)}"  # noqa: S608
        f" FROM {UsageEvent._meta.db_table} WHERE {where} GROUP BY completed_on, month, kind"
    )
    names = [*_measures(), *checks]
    with connections[db].cursor() as cursor:
        cursor.execute(sql, params)
        return [
            (
                _date(day),
                _date(month),
                kind,
                dict(zip(names, (int(v or 0) for v in values), strict=True)),
            )
            for day, month, kind, *values in cursor.fetchall()
        ]


def _date(value) -> dt.date:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def _figures(spec: CounterSpec) -> tuple[str, ...]:
    return (*spec.sums, *spec.checksum_keys)


def _expected(spec: CounterSpec, events, start, end) -> dict[tuple, tuple]:
    """What the table's per-bucket figures should be, rolled up from the day buckets."""
    out: dict[tuple, list] = {}
    names = _figures(spec)
    for day, month, kind, values in events:
        bucket = {"day": day, "month": month}.get(spec.period) or month.replace(month=1)
        if (start and bucket < start) or (end and bucket > end):
            continue
        sums = out.setdefault((bucket, kind if spec.kinded else ""), [0] * len(names))
        for i, name in enumerate(names):
            sums[i] += values[name]
    return {b: tuple(v) for b, v in out.items()}


def _stored_buckets(spec, start, end, db) -> dict[tuple, tuple]:
    if spec is FIRST_SERVED:
        figures = ["COUNT(*)", "SUM(firm_id)"]
    else:
        figures = [f"SUM({m})" for m in spec.sums]
        figures += [spec.checksum_sql(key, stored=True) for key in spec.checksum_keys]
    col = spec.period_column
    where, params = _where(col, start, end)
    kind = "kind" if spec.kinded else "''"
    sql = (
        f"SELECT {col}, {kind}, {', '.join(figures)} FROM {spec.table}"  # noqa: S608
        f" WHERE {where} GROUP BY {col}{', kind' if kind == 'kind' else ''}"
    )
    with connections[db].cursor() as cursor:
        cursor.execute(sql, params)
        return {
            (_date(bucket), kind): tuple(int(v or 0) for v in values)
            for bucket, kind, *values in cursor.fetchall()
        }


def _first_served_expected(start, end, db) -> dict[tuple, tuple]:
    """Per (month, kind): firms first served then and the sum of their ids, from the
    events (a firm's first month depends on all its history, so all time is read)."""
    with connections[db].cursor() as cursor:
        cursor.execute(FIRST_SERVED.month_firsts_sql(_unqueued()))
        rows = cursor.fetchall()
    out = {}
    for month, kind, n, firms in rows:
        month = _date(month)
        if (start and month < start) or (end and month > end):
            continue
        out[(month, kind)] = (int(n), int(firms))
    return out


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
    """A month-grain table is compared over whole months, a year-grain one over whole
    years (its rows are keyed by the 1st of the month, or 1 January)."""
    if spec.period in ("month", "year"):
        first = {"day": 1} if spec.period == "month" else {"month": 1, "day": 1}
        return (
            period_from.replace(**first) if period_from else None,
            period_to.replace(**first) if period_to else None,
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


def _in(column: str, periods) -> tuple[str, list]:
    if periods is None:
        return "1 = 1", []
    if not periods:
        return "1 = 0", []
    return f"{column} IN ({', '.join(['%s'] * len(periods))})", list(periods)


def _recount(spec, start, end, periods=None) -> tuple[str, list]:
    """The table's rows as the events say, leaving out the events still in the fold queue."""
    event_col = spec.event_period_sql
    where, params = _where(event_col, start, end)
    among, more = _in(event_col, periods)
    if spec is FIRST_SERVED:
        # A firm is first served in one of these months only if it has an event in one.
        firms_in, firm_params = _in("month", periods)
        firms = _unqueued()
        if periods is not None:
            firms += f" AND firm_id IN (SELECT firm_id FROM {UsageEvent._meta.db_table} WHERE {firms_in})"  # noqa: S608
        sql = spec.recount_select(f"{where} AND {among}", firms)
        # The firms condition appears twice (both halves of the UNION), before the WHERE.
        return sql, [*firm_params, *firm_params, *params, *more]
    where = f"{where} AND {_unqueued()}"
    return spec.recount_select(f"{where} AND {among}"), [*params, *more]


def _columns(spec) -> list[str]:
    return list(spec.cols) if spec is FIRST_SERVED else [*spec.keys, *spec.sums]


def _stored(spec, start, end, periods=None) -> tuple[str, list]:
    cols = ", ".join(_columns(spec))
    where, params = _where(spec.period_column, start, end)
    among, more = _in(spec.period_column, periods)
    sql = f"SELECT {cols} FROM {spec.table} WHERE {where} AND {among}"  # noqa: S608
    return sql, [*params, *more]


def _counter_differences(spec, start, end, db, periods=None) -> int:
    """Keys whose counter row differs from the events' recount (either side missing
    counts too), by EXCEPT both ways; within ``periods`` (months or days) if given.
    ``start``/``end`` are already widened to the table's period (``_bounds``)."""
    recount, p1 = _recount(spec, start, end, periods)
    stored, p2 = _stored(spec, start, end, periods)
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
    # every table is compared again on the primary, and only its differing months (days)
    # are rebuilt.
    _, buckets = counters_compare(period_from, period_to, "default")
    for spec in COUNTERS:
        if buckets[spec.table]:
            periods = [dt.date.fromisoformat(d) for d in buckets[spec.table]]
            _rebuild(spec, period_from, period_to, periods=periods)
    # Then the counts of the firm tables' rows, from those tables as now rebuilt.
    for tally in FIRMS_SERVED_TALLIES:
        if years := sorted(firms_served_differences(period_from, period_to, "default", tally)):
            _firms_served_rebuild(years, tallies=(tally,))


def _firms_served_rebuild(
    years: list[dt.date] | None = None, *, tallies: tuple = FIRMS_SERVED_TALLIES
) -> None:
    """The firms-served tallies' ``years`` (None: all) recounted, each with the firm
    tables it counts locked against the fold meanwhile (the fold writes them in this
    order: every tally, then the firm tables)."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for tally in tallies:
                cursor.execute(f"LOCK TABLE {tally.table} IN SHARE ROW EXCLUSIVE MODE")
            for tally in tallies:
                for firms, _ in tally.SOURCES:
                    cursor.execute(f"LOCK TABLE {firms._meta.db_table} IN SHARE ROW EXCLUSIVE MODE")
        for tally in tallies:
            tally.rebuild(cursor, years)


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


def counters_rebuild(period_from: dt.date | None, period_to: dt.date | None) -> None:
    """Every counter table rebuilt from the events over the period (widened to each
    table's months or years), in the subscribers' table order. For events inserted in
    bulk (``usage_record_many``); a live completion adds to the counters itself."""
    for spec in COUNTERS:
        _rebuild(spec, period_from, period_to)
    _firms_served_rebuild()


def _rebuild(spec, period_from, period_to, periods=None) -> None:
    """DELETE + INSERT … SELECT … GROUP BY of the table over the period (only ``periods``,
    months or days, if given). FirstServed's rows are replaced by (firm, kind)."""
    start, end = _bounds(spec, period_from, period_to)
    recount, params = _recount(spec, start, end, periods)
    where, delete_params = _where(spec.period_column, start, end)
    among, more = _in(spec.period_column, periods)
    where, delete_params = f"{where} AND {among}", [*delete_params, *more]
    cols = ", ".join(_columns(spec))
    conflict = ""
    if spec is FIRST_SERVED:
        sets = ", ".join(f"{c} = EXCLUDED.{c}" for c in spec.cols[2:])
        conflict = f" ON CONFLICT (firm_id, kind) DO UPDATE SET {sets}"
        recount = f"SELECT * FROM ({recount}) r WHERE 1 = 1"  # noqa: S608 - SQLite upsert needs a WHERE
    else:
        # Rows go in in period order, as months and days accrue in production: a year's
        # rows then sit on a year's pages, not scattered over the whole table by the
        # hash aggregate's order (a year of providers read 15,000 pages instead of 1,500).
        recount = f"{recount} ORDER BY 1"
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Blocks the completions' upserts (not reads) until the rebuild commits; a
            # completion already holding a row here is waited for, and its event is
            # then part of the recount.
            cursor.execute(f"LOCK TABLE {spec.table} IN SHARE ROW EXCLUSIVE MODE")
            # A full rebuild groups (or, for FirstServed, sorts) every event: in memory.
            cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute(f"DELETE FROM {spec.table} WHERE {where}", delete_params)  # noqa: S608
        cursor.execute(f"INSERT INTO {spec.table} ({cols}) {recount}{conflict}", params)  # noqa: S608
