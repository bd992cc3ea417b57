"""Dashboard reads planned for their own parameters.

Connections prepare a statement on its fifth run (``prepare_threshold``, config/settings.py),
which saves the booking path its planning; PostgreSQL then switches a prepared statement to
one generic plan, made without the parameters. For the tracker's range reads that plan is
blind to how many counter rows a region, a period or a year selects: measured at 15 M
events, target progress went from ~25 ms to ~220 ms from its sixth call on a connection,
and top providers doubled. Planning these few statements afresh costs well under a
millisecond each.

They also run without parallel workers: a dashboard read is a few thousand counter rows,
and starting two workers cost 5–8 ms on two cores (measured at 15 M events: the
targets' months as one UNION ALL, planned as a Parallel Append, 15 ms against 3 ms for
each part alone), more than any of these reads takes; the distinct counts over FirmMonth,
the only large ones, cannot be parallel in PostgreSQL anyway.
"""

from __future__ import annotations

from contextlib import ContextDecorator

from django.db import connections, transaction

from config.db_router import replica_alias


class custom_plans(ContextDecorator):  # noqa: N801 - used as a decorator, like atomic
    """Run the block (or the decorated selector) with plans made for each run's values,
    and no parallel workers."""

    def _recreate_cm(self):
        # A fresh one per call: the decorated selector runs in many threads at once.
        return type(self)()

    def __enter__(self):
        alias = replica_alias()
        self._atomic = None
        if connections[alias].vendor != "postgresql":
            return self
        self._atomic = transaction.atomic(using=alias)
        self._atomic.__enter__()
        with connections[alias].cursor() as cursor:
            cursor.execute(
                "SELECT set_config('plan_cache_mode', 'force_custom_plan', true),"
                " set_config('max_parallel_workers_per_gather', '0', true)"
            )
        return self

    def __exit__(self, *exc):
        if self._atomic is not None:
            return self._atomic.__exit__(*exc)
        return False
