"""The catalogue search's counting query, planned for its own values every time.

Connections prepare a statement on its fifth run (``prepare_threshold``, config/settings.py),
and PostgreSQL may then switch it to one generic plan, made without the parameters. The
search's text filter is the same SQL for a word in every city, and its best plan depends on
the values: how common the word's tokens are, how many instruments the city and category
hold. Measured at 50,000 instruments (EXPLAIN ANALYZE of the prepared statement): 热分析 +
a city 10 ms planned for its values against 28 ms generic, FTIR 27 against 42, 蔡司 SEM 1.2
against 4.2. Planning it afresh costs 0.2–1.5 ms.

The tracker's dashboard reads get the same effect with ``SET LOCAL plan_cache_mode``
inside a transaction (``tracker.selectors.plans``); here the statement is simply not
prepared, which needs no transaction and no extra statement.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.db import connection


@contextmanager
def unprepared():
    """Run the block's statements unprepared on this thread's connection (psycopg's
    ``prepare_threshold`` off, then restored), so each is planned for its values. A no-op
    on other databases."""
    if connection.vendor != "postgresql":
        yield
        return
    connection.ensure_connection()
    raw = connection.connection
    saved = raw.prepare_threshold
    raw.prepare_threshold = None
    try:
        yield
    finally:
        raw.prepare_threshold = saved
