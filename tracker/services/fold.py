"""Folding the queue of unfolded usage events into the folded counters.

A completion inserts its event and queues it (``UnfoldedEvent``) in its own transaction
(tracker.services.usage). ``counters_fold`` takes a batch off the
queue and adds it to every counter (tracker.counters.COUNTERS) in one statement
(``fold_sql``): the batch's queue rows are deleted in the same statement as the
counters are added to, so a folder that dies halfway rolls back whole and the batch is folded again by the
next one. Folders take a transaction-level advisory lock, so one folds at a time: two
never lock the same counter rows in different orders, and a batch is summed per key
first (each counter row is written once per batch, not once per event).

When it runs: with a Celery worker, a task a second after a completion commits (at most
one scheduled per second per process) and every 30 s from beat; with tasks run inline
(the embedded default, tests), in the completion's own transaction. On SQLite nothing is
queued: every counter is added inline (tracker.counters.counters_add).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable

from celery import current_app as celery_app
from django.db import connection, transaction

from tracker.counters import COUNTERS, FIRMS_SERVED_TALLIES
from tracker.models import UnfoldedEvent, UsageEvent

BATCH = 5_000
# pg_advisory_xact_lock key: "LabShare tracker fold" (any fixed bigint, unique in the app)
_FOLD_LOCK = 0x7472_6B66_6F6C_64
_SCHEDULE_EVERY = 1.0  # seconds between two fold tasks one process schedules
_scheduled_at = 0.0


def counters_fold(*, limit: int = BATCH, wait: bool = True) -> int:
    """Fold up to ``limit`` queued events (oldest first) into the folded counters, in
    one transaction. Returns how many were folded; 0 if the queue was empty or, with
    ``wait=False``, another folder holds the lock (it will fold them)."""
    if connection.vendor != "postgresql":
        return 0
    queue = UnfoldedEvent._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        # The fold's statement starts all its ~25 parts even for no events (~2 ms): an
        # empty queue, which beat's fold every 30 s mostly finds, costs one look instead.
        cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {queue})")  # noqa: S608 - a name only
        if not cursor.fetchone()[0]:
            return 0
        if wait:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_FOLD_LOCK])
        else:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_FOLD_LOCK])
            if not cursor.fetchone()[0]:
                return 0
        cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute(fold_sql(COUNTERS, FIRMS_SERVED_TALLIES, int(limit)))
        return cursor.fetchone()[0]


@functools.lru_cache(maxsize=16)
def fold_sql(counters: tuple, tallies: tuple, limit: int) -> str:
    """The whole fold of one batch as one statement: the batch's queue rows deleted, its
    events read once (``batch``), and every tally and counter upserted from them, each a
    data-modifying CTE. One statement, not one per table: at 29 statements a batch, each
    reading the batch's events again by id, the fold cost ~0.2 ms per event.

    The parts of one statement share its snapshot, so the tallies read the firm tables
    as they were before the batch, which is what they count (FirmsServedSpec), and no
    two parts write one table. ``limit`` is written into the text (an int), so that the
    planner knows the batch is small and reads its events by primary key."""
    queue, events = UnfoldedEvent._meta.db_table, UsageEvent._meta.db_table
    parts = [
        f"taken AS (DELETE FROM {queue} WHERE event_id IN (SELECT event_id FROM {queue}"  # noqa: S608
        f" ORDER BY event_id LIMIT {int(limit)}) RETURNING event_id)",
        f"batch AS MATERIALIZED (SELECT e.* FROM taken t JOIN {events} e ON e.id = t.event_id)",  # noqa: S608
    ]
    writes = [
        *(t.fold_insert("batch") for t in tallies),
        *(c.fold_insert("batch") for c in counters),
    ]
    parts += [f"w{i} AS ({sql})" for i, sql in enumerate(writes)]
    return f"WITH {', '.join(parts)} SELECT COUNT(*) FROM taken"  # noqa: S608 - names only


def counters_fold_all(*, wait: bool = True) -> int:
    """Fold the whole queue, a batch per transaction. Returns how many were folded."""
    total = 0
    while folded := counters_fold(wait=wait):
        total += folded
        if folded < BATCH:  # the queue is empty now: one fold fewer to find it so
            break
    return total


def fold_after_completion(*, before_inline_fold: Callable[[], None] | None = None) -> None:
    """Called by the completion, inside its transaction, once its event is queued (or,
    on PostgreSQL, will be at COMMIT: ``before_inline_fold`` writes it now when the fold
    runs inline)."""
    if celery_app.conf.task_always_eager:
        if before_inline_fold is not None:
            before_inline_fold()
        counters_fold(limit=BATCH)
        return
    # robust: a broker that is down must not fail a completion that has committed (beat
    # folds the queue later).
    transaction.on_commit(_schedule, robust=True)


def _schedule() -> None:
    global _scheduled_at
    now = time.monotonic()
    if now - _scheduled_at < _SCHEDULE_EVERY:
        return  # the task already scheduled folds this completion too (or beat will)
    _scheduled_at = now
    celery_app.send_task("tracker.tasks.fold_counters", countdown=_SCHEDULE_EVERY)
