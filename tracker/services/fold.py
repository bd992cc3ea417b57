"""Folding the queue of unfolded usage events into the folded counters.

A completion inserts its event and queues it (``UnfoldedEvent``) in its own transaction
(tracker.services.usage). ``counters_fold`` takes a batch off the
queue and adds it to every counter (tracker.counters.COUNTERS) in one transaction:
the batch's queue rows are deleted in the same transaction as the counters are added
to, so a folder that dies halfway rolls back whole and the batch is folded again by the
next one. Folders take a transaction-level advisory lock, so one folds at a time: two
never lock the same counter rows in different orders, and a batch is summed per key
first (each counter row is written once per batch, not once per event).

When it runs: with a Celery worker, a task a second after a completion commits (at most
one scheduled per second per process) and every 30 s from beat; with tasks run inline
(the embedded default, tests), in the completion's own transaction. On SQLite nothing is
queued: every counter is added inline (tracker.counters.counters_add).
"""

from __future__ import annotations

import time

from celery import current_app as celery_app
from django.db import connection, transaction

from tracker.counters import COUNTERS, FIRMS_SERVED_TALLIES
from tracker.models import UnfoldedEvent

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
    with transaction.atomic(), connection.cursor() as cursor:
        if wait:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_FOLD_LOCK])
        else:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_FOLD_LOCK])
            if not cursor.fetchone()[0]:
                return 0
        queue = UnfoldedEvent._meta.db_table
        cursor.execute(
            f"DELETE FROM {queue} WHERE event_id IN (SELECT event_id FROM {queue}"  # noqa: S608
            " ORDER BY event_id LIMIT %s) RETURNING event_id",
            [limit],
        )
        ids = [row[0] for row in cursor.fetchall()]
        if not ids:
            return 0
        cursor.execute("SET LOCAL work_mem = '64MB'")
        for tally in FIRMS_SERVED_TALLIES:  # before the firm tables whose rows they count
            for sql in tally.fold_sqls:
                cursor.execute(sql, {"ids": ids})
        for spec in COUNTERS:
            cursor.execute(spec.fold_sql, {"ids": ids})
    return len(ids)


def counters_fold_all(*, wait: bool = True) -> int:
    """Fold the whole queue, a batch per transaction. Returns how many were folded."""
    total = 0
    while folded := counters_fold(wait=wait):
        total += folded
    return total


def fold_after_completion() -> None:
    """Called by the completion, inside its transaction, once its event is queued."""
    if celery_app.conf.task_always_eager:
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
