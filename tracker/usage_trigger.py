"""PostgreSQL: the usage event of a completed order is written by a trigger at COMMIT.

A deferred constraint trigger on each order table (``TRIGGERS``) fires once per order
whose status moves to ``completed``, at the completion's COMMIT, inside its transaction:
it runs ``usage_record_sql`` (the order's facts, the event's INSERT … ON CONFLICT DO
NOTHING and its row in the fold queue) with the completion's values taken from the
order's new row (``COMPLETION_VALUES``). So a completion pays the tracker no round trip:
the same statement as a subscriber would send, ~0.4–0.65 ms of a 4–5 ms check-out (10–12 %,
session 13), runs as part of the COMMIT it already makes. It fires after every
subscriber, so the vouchers' capture is already in the holds it reads.

Invariant 4 holds as before: the event commits with its completion or not at all, and
``usage_once_per_order`` keeps it once per order. The trigger also counts a completion
that bypasses ``booking.transitions`` (a raw UPDATE, a data fix).

The SQL is frozen in migration 0021 (a migration must not change with later code);
``tests/tracker/test_usage_trigger.py`` fails when this module builds something other than
what the database holds, which is the cue for a new migration. SQLite has no such trigger:
there the ``tracker.usage`` subscriber writes the event itself (tracker.services.usage).
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.db import connection

from booking.models import Booking, ServiceRequest
from booking.order_events import OrderKind
from facilities.models import Price
from tracker.counters import event_and_queue_sql
from tracker.models import UsageEvent, UsageKind
from vouchers.models import OrderVoucherHold

# order kind -> (order table, trigger and function name)
TRIGGERS: dict[str, tuple[str, str]] = {
    OrderKind.BOOKING: (Booking._meta.db_table, "tracker_usage_on_booking_completed"),
    OrderKind.SERVICE_REQUEST: (
        ServiceRequest._meta.db_table,
        "tracker_usage_on_service_request_completed",
    ),
}


def _city_sql(code: str) -> str:
    return (
        f"CASE WHEN {code} IS NULL THEN '' WHEN {code} LIKE '%%0000' THEN {code}"
        f" ELSE SUBSTR({code}, 1, 4) || '00' END"
    )


# The trigger's NEW row as a relation: the order's columns without reading its table.
_NEW_ROW = "(SELECT NEW.*) o"


@functools.cache
def usage_record_sql(order_kind: str) -> str:
    """The facts of one order as the event's columns, inserted with ON CONFLICT DO
    NOTHING and queued for the counters (tracker.counters.event_and_queue_sql): the
    completion trigger's statement. The order ``o`` is the trigger's ``NEW``, the row
    as the completion wrote it (not read again); the parameters are the completion's
    values (``completion_values``). The same values as ``order_facts`` computes in
    Python (tests compare the two)."""
    from accounts.models import FirmProfile, Organisation
    from booking.models import Session
    from facilities.models import Instrument, TestingService

    org, profile = Organisation._meta.db_table, FirmProfile._meta.db_table
    holds = OrderVoucherHold._meta.db_table
    if order_kind == OrderKind.BOOKING:
        item = Instrument._meta.db_table
        session = Session._meta.db_table
        joins = (
            f"{_NEW_ROW} JOIN {item} i ON i.id = o.instrument_id"
            f" LEFT JOIN {session} s ON s.booking_id = o.id"
        )
        facts = {
            "kind": f"'{UsageKind.USE.value}'",
            "instrument_id": "o.instrument_id",
            "service_id": "NULL::bigint",
            "is_outside": f"o.client_group IS DISTINCT FROM '{Price.ClientGroup.INTERNAL.value}'",
            "minutes": (
                "CASE WHEN s.actual_start_at IS NULL OR s.actual_end_at IS NULL THEN 0 ELSE"
                " GREATEST(0, CEIL(EXTRACT(EPOCH FROM s.actual_end_at - s.actual_start_at)"
                " / 60))::int END"
            ),
            "samples": "0",
            "on_time": "NULL::boolean",
        }
    else:
        item = TestingService._meta.db_table
        joins = f"{_NEW_ROW} JOIN {item} i ON i.id = o.service_id"
        facts = {
            "kind": f"'{UsageKind.BATCH.value}'",
            "instrument_id": "NULL::bigint",
            "service_id": "o.service_id",
            "is_outside": "o.firm_id <> i.provider_id",
            "minutes": "0",
            "samples": "o.sample_count",
            "on_time": (
                "CASE WHEN o.due_on IS NULL OR o.reported_at IS NULL THEN NULL"
                " ELSE (o.reported_at AT TIME ZONE %(tz)s::text)::date <= o.due_on END"
            ),
        }
    columns = {
        "order_kind": "%(order_kind)s::varchar",
        "order_id": "o.id",
        "completed_at": "%(completed_at)s::timestamptz",
        "completed_on": "%(completed_on)s::date",
        "month": "%(month)s::date",
        "provider_id": "i.provider_id",
        "provider_county": "COALESCE(p.region_id, '')",
        "provider_city": _city_sql("p.region_id"),
        "firm_id": "o.firm_id",
        "firm_county": "COALESCE(f.region_id, '')",
        "firm_city": _city_sql("f.region_id"),
        "category_id": "i.category_id",
        "firm_size": "COALESCE(fp.size_class, '')",
        "fee_fen": "%(fee_fen)s::bigint",
        "voucher_fen": (
            f"LEAST(%(fee_fen)s::bigint, COALESCE((SELECT SUM(h.captured_fen) FROM {holds} h"  # noqa: S608
            " WHERE h.order_kind = %(order_kind)s::varchar AND h.order_id = o.id"
            " AND h.state = %(captured)s::varchar), 0))"
        ),
        "recorded_at": "%(recorded_at)s::timestamptz",
        **facts,
    }
    fields = [f for f in UsageEvent._meta.concrete_fields if not f.primary_key]
    select = (
        f"SELECT {', '.join(columns[f.attname] for f in fields)} FROM {joins}"  # noqa: S608
        f" JOIN {org} p ON p.id = i.provider_id JOIN {org} f ON f.id = o.firm_id"
        f" LEFT JOIN {profile} fp ON fp.organisation_id = o.firm_id"
    )
    q = connection.ops.quote_name
    insert = (
        f"INSERT INTO {UsageEvent._meta.db_table} ({', '.join(q(f.column) for f in fields)})"  # noqa: S608
        f" {select} ON CONFLICT (order_kind, order_id) DO NOTHING"
    )
    return event_and_queue_sql(insert)


def completion_values(order_kind: str) -> dict[str, str]:
    """``usage_record_sql``'s parameters as SQL over the order's new row: the values
    ``tracker.services.usage.completion_values`` takes from the completion's event.
    ``booking.transitions.transition`` sets ``updated_at`` to the event's time, and the
    event's fee is the actual fee, or the quote while there is none."""
    zone = settings.TIME_ZONE
    local = f"(NEW.updated_at AT TIME ZONE '{zone}')"
    return {
        "order_kind": f"'{order_kind}'",
        "order_id": "NEW.id",
        "completed_at": "NEW.updated_at",
        "completed_on": f"{local}::date",
        "month": f"date_trunc('month', {local})::date",
        "fee_fen": "COALESCE(NEW.fee_fen, NEW.quote_fen)",
        "recorded_at": "clock_timestamp()",
        "tz": f"'{zone}'",
        "captured": "'captured'",
    }


def function_body(order_kind: str) -> str:
    """The trigger function's PL/pgSQL body (what ``pg_proc.prosrc`` holds)."""
    statement = usage_record_sql(order_kind) % completion_values(order_kind)
    # PL/pgSQL wants a destination for the statement's one row (how many went in).
    statement = statement.replace(
        "SELECT COUNT(*) FROM ev", "SELECT COUNT(*) INTO inserted FROM ev"
    )
    return f"\nDECLARE inserted int;\nBEGIN\n  {statement};\n  RETURN NULL;\nEND\n"


def install_statements(order_kind: str) -> list[str]:
    """The function and its deferred constraint trigger, (re)created."""
    table, name = TRIGGERS[order_kind]
    return [
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql"
        f" AS $body${function_body(order_kind)}$body$",
        f"DROP TRIGGER IF EXISTS {name} ON {table}",
        f"CREATE CONSTRAINT TRIGGER {name} AFTER UPDATE OF status ON {table}"
        " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW"
        " WHEN (NEW.status = 'completed' AND OLD.status IS DISTINCT FROM 'completed')"
        f" EXECUTE FUNCTION {name}()",
    ]


def uninstall_statements(order_kind: str) -> list[str]:
    table, name = TRIGGERS[order_kind]
    return [f"DROP TRIGGER IF EXISTS {name} ON {table}", f"DROP FUNCTION IF EXISTS {name}()"]


def usage_triggers_fire() -> None:
    """Write this transaction's pending usage events now rather than at COMMIT, then
    defer the triggers again (a completion later in the transaction must still see its
    own capture). For a fold inside the completion's transaction: Celery run inline (the
    tests), and the tests that look before a COMMIT."""
    names = ", ".join(name for _table, name in TRIGGERS.values())
    with connection.cursor() as cursor:
        cursor.execute(f"SET CONSTRAINTS {names} IMMEDIATE")
        cursor.execute(f"SET CONSTRAINTS {names} DEFERRED")
