"""Writing a new booking: its row, its first StateChange and its Announcement, together,
then its creation event (``booking.order_events``). A subscriber's creation read (the
hold's voucher lock, ``booking.order_events.creation_read``) rides in the same statement.

The three rows are what ``Booking.objects.create`` + ``transitions.record_creation`` +
``announcements.announcement_queue`` would write; here they go in one statement on
PostgreSQL (a data-modifying CTE: one round trip) and in three plain statements elsewhere.
The ORM spent ~0.7 ms of CPU compiling each of those INSERTs, a quarter of a booking's cost
under load; the SQL below is built once from the models' own column definitions, and every
value is prepared by its field, as the ORM would.
"""

# ruff: noqa: S608 — only table and column names, from the models, are interpolated.

from __future__ import annotations

from functools import cache

from django.db import connection

from booking.models import Announcement, Booking, StateChange
from booking.order_events import OrderKind, creation_read
from booking.services.announcements import announcement_wake_on_commit
from booking.transitions import publish_creation

_HISTORY = ("from_status", "to_status", "actor", "reason", "at")
_ANNOUNCEMENT = ("event", "reason", "created_at")


@cache
def _columns(model, names: tuple[str, ...] | None = None) -> tuple:
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    return tuple(fields if names is None else [f for f in fields if f.name in names])


def _placeholders(n: int) -> str:
    return ", ".join(["%s"] * n)


def _insert(model, fields, values_sql: str) -> str:
    table = model._meta.db_table
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    return f"INSERT INTO {table} ({columns}) {values_sql}"


@cache
def _statements(vendor: str) -> tuple[str, ...]:
    booking = _insert(
        Booking, _columns(Booking), f"VALUES ({_placeholders(len(_columns(Booking)))})"
    )
    rows = []  # (model, its own columns) of the rows that hang off the new booking
    for model, names in ((StateChange, _HISTORY), (Announcement, _ANNOUNCEMENT)):
        rows.append((model, [*_columns(model, names), model._meta.get_field("booking")]))
    if vendor == "postgresql":
        # The new booking's id is the last column, taken from the CTE's RETURNING.
        parts = [
            _insert(model, fields, f"SELECT {_placeholders(len(fields) - 1)}, id FROM b")
            for model, fields in rows
        ]
        return (f"WITH b AS ({booking} RETURNING id), h AS ({parts[0]}), a AS ({parts[1]})"
                " SELECT id FROM b",)  # fmt: skip
    return booking, *(
        _insert(model, fields, f"VALUES ({_placeholders(len(fields))})") for model, fields in rows
    )


@cache
def _statement_with_read(read_sql: str) -> str:
    """The PostgreSQL statement with a subscriber's creation read (``creation_read``) as
    one more CTE, after the three INSERTs: one row per row read (one with NULLs when it
    reads none), each led by the new booking's id."""
    (statement,) = _statements("postgresql")
    head = statement.removesuffix(" SELECT id FROM b")
    return f"{head}, r AS MATERIALIZED ({read_sql}) SELECT b.id, r.* FROM b LEFT JOIN r ON TRUE"


def _prepared(fields, values: dict) -> list:
    return [f.get_db_prep_save(values[f.attname], connection) for f in fields]


def booking_insert(booking: Booking, *, actor, event: str, voucher_ids=()) -> None:
    """Insert ``booking`` (unsaved; sets its pk) with its creation history and the
    announcement of ``event``, and publish its creation event (``voucher_ids``: how the
    firm chose to pay). Raises IntegrityError as ``Booking.save`` would; call inside the
    transaction that holds the instrument's lock."""
    values = _prepared(_columns(Booking), booking.__dict__)
    at = booking.created_at
    history_values = _prepared(
        _columns(StateChange, _HISTORY),
        {"from_status": "", "to_status": booking.status, "actor_id": actor.pk, "reason": "",
         "at": at},
    )  # fmt: skip
    announcement_values = _prepared(
        _columns(Announcement, _ANNOUNCEMENT), {"event": event, "reason": "", "created_at": at}
    )
    statements = _statements(connection.vendor)
    read = None
    with connection.cursor() as cursor:
        if len(statements) == 1:
            params = [*values, *history_values, *announcement_values]
            ask = creation_read(order_kind=OrderKind.BOOKING, firm_id=booking.firm_id,
                                voucher_ids=tuple(voucher_ids), item_id=booking.instrument_id)  # fmt: skip
            if ask is None:
                cursor.execute(statements[0], params)
                booking.pk = cursor.fetchone()[0]
            else:
                cursor.execute(_statement_with_read(ask.sql), [*params, *ask.params])
                rows = cursor.fetchall()
                booking.pk = rows[0][0]
                read = tuple(row[1:] for row in rows if row[1] is not None)
        else:
            cursor.execute(statements[0], values)
            booking.pk = cursor.lastrowid
            cursor.execute(statements[1], [*history_values, booking.pk])
            cursor.execute(statements[2], [*announcement_values, booking.pk])
    booking._state.adding = False
    booking._state.db = connection.alias
    publish_creation(booking, actor=actor, voucher_ids=voucher_ids, read=read)
    announcement_wake_on_commit()


def bookings_insert_many(bookings: list[Booking], *, actor, events: list[str]) -> None:
    """Insert several new bookings of one instrument (a series, checked under its lock) in
    three multi-row statements — the bookings, their first StateChanges, their
    Announcements (``events``, one per booking) — then publish each creation event, as
    ``booking_insert`` does for one. A year of occurrences is three round trips instead of
    fifty-two. Raises IntegrityError as ``bulk_create`` would (the whole set or nothing)."""
    Booking.objects.bulk_create(bookings)  # sets each pk (RETURNING)
    StateChange.objects.bulk_create(
        StateChange(booking=b, from_status="", to_status=b.status, actor=actor, reason="",
                    at=b.created_at)
        for b in bookings
    )  # fmt: skip
    Announcement.objects.bulk_create(
        Announcement(booking=b, event=event, reason="", created_at=b.created_at)
        for b, event in zip(bookings, events, strict=True)
    )
    for booking in bookings:
        publish_creation(booking, actor=actor)
    announcement_wake_on_commit()
