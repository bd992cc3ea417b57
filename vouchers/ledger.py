"""The only code that moves a voucher's money: one LedgerEntry and one update of the
voucher row per movement, in the caller's transaction, with the voucher row already
locked by the caller (``vouchers_lock``). The voucher's check constraints are the last
word: a movement that would make a balance negative fails rather than stores it.

    movement  available  held  captured  expired
    hold         −x       +x
    release      +x       −x
    capture               −x      +x
    expire       −x                         +x
    reverse      +x               −x
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Sequence
from functools import cache

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from vouchers.facts_sql import lock_facts_sql
from vouchers.models import LedgerEntry, Programme, Voucher
from vouchers.rules import Rules, rules_parse

# Transaction-scoped advisory locks (pg_advisory_xact_lock(class, id)); the classes are
# this app's own. PARTY: a firm's declared actual controllers, taken shared by a hold that
# reads the firm's controller group and exclusively by a declaration, so the group cannot
# change under an order being placed. SPEND: a firm's spending under a yearly cap, taken
# exclusively by a hold for the firm (or every firm of its controller group), always after
# the voucher rows, so two orders cannot both pass the cap.
LOCK_PARTY = 0x56435001
LOCK_SPEND = 0x56435002

K = LedgerEntry.Kind
DELTAS: dict[str, dict[str, int]] = {
    K.HOLD: {"available_fen": -1, "held_fen": +1},
    K.RELEASE: {"available_fen": +1, "held_fen": -1},
    K.CAPTURE: {"held_fen": -1, "captured_fen": +1},
    K.EXPIRE: {"available_fen": -1, "expired_fen": +1},
    K.REVERSE: {"available_fen": +1, "captured_fen": -1},
}


def vouchers_lock(voucher_ids: Iterable[int], *, firm_id: int | None = None) -> dict[int, Voucher]:
    """Lock the vouchers' rows in ascending id (the fixed order: two orders spending the
    same two vouchers cannot deadlock) and return them, programme joined, by id; with
    ``firm_id`` only that firm's (another firm's voucher is neither locked nor returned).

    On PostgreSQL one plain statement built once (``_lock_sql``): the ORM spent ~1 ms of
    CPU compiling the select_related + FOR UPDATE OF query on every booking with a voucher;
    the programme's rules come as text and are parsed once per distinct text
    (``rules_cached``)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Lock vouchers inside a transaction.")
    ids = sorted(set(voucher_ids))
    if not _postgres():
        rows = (
            Voucher.objects.select_for_update(of=("self",))
            .select_related("programme")
            .filter(pk__in=ids)
            .order_by("pk")
        )
        if firm_id is not None:
            rows = rows.filter(firm_id=firm_id)
        return {v.pk: v for v in rows}
    one = len(ids) == 1
    params = {"id": ids[0]} if one else {"ids": ids}
    return _locked(_lock_sql(firm_id is not None, one=one), {**params, "firm": firm_id})[0]


def vouchers_lock_facts(
    voucher_ids: Iterable[int], *, firm_id: int, service: bool, item_id: int
) -> tuple[dict[int, Voucher], tuple | None]:
    """``vouchers_lock(voucher_ids, firm_id=firm_id)`` and, on PostgreSQL, in the same
    statement the order's facts row as ``vouchers.facts_sql.facts_sql(service, True, None)``
    gives it (the audit block of the first locked voucher's programme; the year's spending
    not read): the hold's facts for a programme without a yearly cap, one round trip fewer
    on the booking hot path. The facts are read as of the statement's start, like the
    vouchers' own columns before the row lock; under a yearly cap the hold reads them again
    after its spending locks. None for the facts elsewhere, or when no voucher is the
    firm's.

    On PostgreSQL only the columns the hold reads (``HOLD_VOUCHER_FIELDS``,
    ``HOLD_PROGRAMME_FIELDS``) are selected; the others are deferred (reading one costs a
    query, which tests/vouchers/test_hold_round_trips.py would count): the programme's
    text columns and timestamps cost ~70 µs of client CPU per hold to load."""
    if not _postgres():
        return vouchers_lock(voucher_ids, firm_id=firm_id), None
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Lock vouchers inside a transaction.")
    sql, params = lock_facts_read(voucher_ids, firm_id=firm_id, service=service, item_id=item_id)
    return _locked(sql, params, hold=True)


def _locked(
    sql: str, params: dict | Sequence, *, hold: bool = False
) -> tuple[dict[int, Voucher], tuple | None]:
    """Run a lock statement; the vouchers by id, and the first row's columns after the
    voucher's and programme's (its facts, if the statement read them). ``hold``: the
    statement selected the hold's columns only (``_lock_sql`` with facts)."""
    conn = transaction.get_connection()  # one lookup of the proxied connection, not five
    with conn.cursor() as c:
        c.execute(sql, params)
        found = c.fetchall()
    return locked_from_rows(found, hold=hold)


def locked_from_rows(
    found: Sequence[tuple], *, hold: bool = True
) -> tuple[dict[int, Voucher], tuple | None]:
    """``_locked``'s answer from the rows of a lock statement already run: by
    ``_locked``, or inside the booking's INSERT (``lock_facts_read``)."""
    conn = transaction.get_connection()
    voucher_fields, programme_fields = _lock_columns(hold)
    n, m = len(voucher_fields), len(voucher_fields) + len(programme_fields)
    rules_at = programme_fields.index("rules")
    out, programmes = {}, {}
    for row in found:
        voucher = Voucher.from_db(conn.alias, voucher_fields, row[:n])
        programme = programmes.get(voucher.programme_id)
        if programme is None:
            values = list(row[n:m])
            parsed = rules_cached(values[rules_at])
            values[rules_at] = parsed[0]
            programme = Programme.from_db(conn.alias, programme_fields, values)
            programme.parsed_rules = parsed  # see programme_rules
            programmes[voucher.programme_id] = programme
        voucher.programme = programme
        out[voucher.pk] = voucher
    return out, (tuple(found[0][m:]) if found else None)


_NAMED = re.compile(r"%\((\w+)\)s")


@cache
def _positional(sql: str) -> tuple[str, tuple[str, ...]]:
    """``sql`` with its named placeholders made positional, and the names in order."""
    return _NAMED.sub("%s", sql), tuple(_NAMED.findall(sql))


def lock_facts_read(
    voucher_ids: Sequence[int], *, firm_id: int, service: bool, item_id: int
) -> tuple[str, tuple]:
    """``vouchers_lock_facts``'s statement and parameters, positional, so that a caller can
    also run it inside its own statement (the booking's INSERT: the hold's creation read,
    vouchers.services.order_money.hold_read); ``locked_from_rows`` reads its rows. The same
    rows are locked, in the same order (ascending id), with the same facts."""
    ids = sorted(set(voucher_ids))
    one = len(ids) == 1
    sql, names = _positional(_lock_sql(True, "service" if service else "booking", one=one))
    values = {"id": ids[0], "ids": ids, "firm": firm_id, "item": item_id}
    return sql, tuple(values[name] for name in names)


def programme_rules(programme: Programme) -> Rules:
    """The programme's parsed rules: the ones ``vouchers_lock`` parsed with it (once per
    distinct rules text in this process), else parsed now."""
    parsed = getattr(programme, "parsed_rules", None)
    if parsed is not None and parsed[0] is programme.rules:
        return parsed[1]
    return rules_parse(programme.rules)


_RULES_CACHE: dict[str, tuple[dict, Rules]] = {}
_RULES_CACHE_SIZE = 512


def rules_cached(text: str) -> tuple[dict, Rules]:
    """``(rules JSON as a dict, its Rules)`` for a programme's stored rules text.
    A published programme's rules change only by a new version, i.e. a new text, so the
    text itself is the key; the dict is shared between callers and must not be mutated."""
    hit = _RULES_CACHE.get(text)
    if hit is None:
        data = json.loads(text)
        hit = (data, rules_parse(data))  # raises on broken rules: nothing cached
        if len(_RULES_CACHE) >= _RULES_CACHE_SIZE:
            _RULES_CACHE.clear()
        _RULES_CACHE[text] = hit
    return hit


# What the hold reads of the locked vouchers and their programme (vouchers.pricing,
# order_money.order_hold, holds_place); ``vouchers_lock_facts`` selects only these.
HOLD_VOUCHER_FIELDS = ("id", "firm_id", "programme_id", "code", "face_fen", "available_fen",
                       "held_fen", "captured_fen", "expired_fen", "expires_at")  # fmt: skip
HOLD_PROGRAMME_FIELDS = ("id", "kind", "region_id", "rules", "status", "version",
                         "current_version_id")  # fmt: skip


@cache
def _lock_columns(hold: bool = False) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The attnames a lock statement selects, in its order: every concrete field, or for
    the hold only ``HOLD_VOUCHER_FIELDS`` and ``HOLD_PROGRAMME_FIELDS`` (in model order)."""
    keep = (set(HOLD_VOUCHER_FIELDS), set(HOLD_PROGRAMME_FIELDS)) if hold else (None, None)
    return tuple(
        tuple(
            f.attname for f in model._meta.concrete_fields if wanted is None or f.attname in wanted
        )
        for model, wanted in zip((Voucher, Programme), keep, strict=True)
    )  # type: ignore[return-value]


@cache
def _lock_sql(by_firm: bool, facts: str | None = None, *, one: bool = False) -> str:
    """Only table and column names are interpolated; ids, firm and item are parameters.
    ``facts``: "booking" or "service" adds the facts of the order's item
    (``vouchers.facts_sql.lock_facts_sql``) after the programme's columns, and selects only
    the hold's columns of voucher and programme (``_lock_columns(True)``). ``one``: the
    common case of a single voucher, ``v.id = %(id)s`` with a scalar parameter, because
    psycopg spends ~40 µs of client CPU more adapting a one-element ``bigint[]`` than an
    integer; the same rows, locks and order as the array shape."""
    quote = connection.ops.quote_name
    voucher_fields, programme_fields = _lock_columns(facts is not None)
    v_col = {f.attname: f.column for f in Voucher._meta.concrete_fields}
    p_col = {f.attname: f.column for f in Programme._meta.concrete_fields}
    columns = [f"v.{quote(v_col[name])}" for name in voucher_fields]
    columns += [
        f"p.{quote(p_col[name])}::text" if name == "rules" else f"p.{quote(p_col[name])}"
        for name in programme_fields
    ]
    firm = " AND v.firm_id = %(firm)s" if by_firm else ""
    with_facts, facts_join = "", ""
    if facts is not None:
        cte, facts_columns = lock_facts_sql(facts == "service")
        with_facts, facts_join = f"{cte} ", " LEFT JOIN facts ON TRUE"
        columns.append(facts_columns)
    return (
        f"{with_facts}SELECT {', '.join(columns)} FROM {Voucher._meta.db_table} v"  # noqa: S608
        f" JOIN {Programme._meta.db_table} p ON p.id = v.programme_id{facts_join}"
        f" WHERE {'v.id = %(id)s::bigint' if one else 'v.id = ANY(%(ids)s::bigint[])'}{firm}"
        " ORDER BY v.id FOR UPDATE OF v"
    )


def ledger_move(
    voucher: Voucher,
    *,
    kind: str,
    amount_fen: int,
    actor_id: int | None = None,
    order_kind: str = "",
    order_id: int | None = None,
    version_id: int | None = None,
    note: str = "",
    at: dt.datetime | None = None,
) -> LedgerEntry:
    """Move ``amount_fen`` (> 0) of ``voucher`` (locked) and record it. Updates the
    instance too, so a caller moving the same voucher twice sees the new balances."""
    if amount_fen <= 0:
        raise ValueError("a movement moves a positive amount")
    deltas = DELTAS[kind]
    Voucher.objects.filter(pk=voucher.pk).update(
        **{name: F(name) + sign * amount_fen for name, sign in deltas.items()}
    )
    for name, sign in deltas.items():
        setattr(voucher, name, getattr(voucher, name) + sign * amount_fen)
    return LedgerEntry.objects.create(
        voucher=voucher,
        kind=kind,
        amount_fen=amount_fen,
        actor_id=actor_id,
        order_kind=order_kind,
        order_id=order_id,
        programme_version_id=version_id,
        note=note[:300],
        at=at or timezone.now(),
    )


def ledger_issue(voucher: Voucher, *, actor_id: int | None, version_id, note="") -> LedgerEntry:
    """The first entry of a voucher just inserted with its whole face value available."""
    return LedgerEntry.objects.create(
        voucher=voucher,
        kind=K.ISSUE,
        amount_fen=voucher.face_fen,
        actor_id=actor_id,
        programme_version_id=version_id,
        note=note[:300],
        at=voucher.issued_at,
    )


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def party_lock(organisation_id: int, *, shared: bool) -> None:
    """Lock the organisation's declared actual controllers: shared while an order reads its
    group, exclusive while a declaration changes them (no-op on SQLite, which serialises
    writers)."""
    if not _postgres():
        return
    fn = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    with connection.cursor() as c:
        c.execute(f"SELECT {fn}(%s, %s)", [LOCK_PARTY, organisation_id])


def spend_lock(firm_ids: Sequence[int]) -> None:
    """Serialise the firms' spending under a yearly cap, in ascending firm id, after the
    voucher rows (so a holder of these locks waits for no voucher row)."""
    if not _postgres() or not firm_ids:
        return
    with connection.cursor() as c:
        c.execute(
            "SELECT count(pg_advisory_xact_lock(%s, f)) FROM"
            " (SELECT DISTINCT f FROM unnest(%s::int[]) f ORDER BY f) s",
            [LOCK_SPEND, sorted(set(firm_ids))],
        )


HOLDS_SQL = """
WITH lines AS (
    SELECT * FROM unnest(%(vouchers)s::bigint[], %(amounts)s::bigint[], %(traces)s::jsonb[])
        AS l(voucher_id, amount, trace)
), moved AS (
    UPDATE vouchers_voucher v
       SET available_fen = v.available_fen - l.amount, held_fen = v.held_fen + l.amount
      FROM lines l WHERE v.id = l.voucher_id
    RETURNING v.id
), entries AS (
    INSERT INTO vouchers_ledgerentry (voucher_id, kind, amount_fen, order_kind, order_id,
                                      programme_version_id, actor_id, note, at)
    SELECT voucher_id, 'hold', amount, %(order_kind)s, %(order_id)s, %(version)s, %(actor)s,
           '', %(at)s FROM lines
    RETURNING voucher_id, programme_version_id
)
INSERT INTO vouchers_ordervoucherhold (order_kind, order_id, voucher_id, programme_version_id,
    held_fen, captured_fen, reversed_fen, state, trace, created_at, settled_at)
SELECT %(order_kind)s, %(order_id)s, e.voucher_id, e.programme_version_id, l.amount, 0, 0,
       'held', l.trace, %(at)s, NULL FROM entries e JOIN lines l ON l.voucher_id = e.voucher_id
RETURNING (SELECT count(*) FROM moved), (SELECT count(*) FROM entries)
"""

# HOLDS_SQL for one voucher (the common case), every value a scalar parameter: the same
# three writes, constraints and check of what moved, without the unnest of one-element
# arrays, whose adaptation cost psycopg ~40 µs of client CPU per array (three here).
# In both shapes the hold takes its voucher and version from the ledger entry's RETURNING:
# the hold has no foreign keys of its own (OrderVoucherHold), the entry's are checked.
HOLD_ONE_SQL = """
WITH moved AS (
    UPDATE vouchers_voucher v
       SET available_fen = v.available_fen - %(amount)s::bigint,
           held_fen = v.held_fen + %(amount)s::bigint
     WHERE v.id = %(voucher)s::bigint
    RETURNING v.id
), entries AS (
    INSERT INTO vouchers_ledgerentry (voucher_id, kind, amount_fen, order_kind, order_id,
                                      programme_version_id, actor_id, note, at)
    VALUES (%(voucher)s::bigint, 'hold', %(amount)s::bigint, %(order_kind)s, %(order_id)s,
            %(version)s, %(actor)s, '', %(at)s)
    RETURNING voucher_id, programme_version_id
)
INSERT INTO vouchers_ordervoucherhold (order_kind, order_id, voucher_id, programme_version_id,
    held_fen, captured_fen, reversed_fen, state, trace, created_at, settled_at)
SELECT %(order_kind)s, %(order_id)s, e.voucher_id, e.programme_version_id, %(amount)s::bigint,
       0, 0, 'held', %(trace)s::jsonb, %(at)s, NULL FROM entries e
RETURNING (SELECT count(*) FROM moved), (SELECT count(*) FROM entries)
"""


def _holds_statement(lines: Sequence[tuple[int, int, list]], params: dict, *,
                     one: bool) -> tuple[str, dict]:  # fmt: skip
    """``HOLD_ONE_SQL`` with scalars for a single line (``one``), else ``HOLDS_SQL`` with
    arrays (which also takes one line: the tests compare the two shapes)."""
    traces = [json.dumps(t, ensure_ascii=False) for _v, _a, t in lines]
    if one:
        ((voucher_id, amount, _t),) = lines
        return HOLD_ONE_SQL, {**params, "voucher": voucher_id, "amount": amount,
                              "trace": traces[0]}  # fmt: skip
    return HOLDS_SQL, {**params, "vouchers": [v for v, _a, _t in lines],
                       "amounts": [a for _v, a, _t in lines], "traces": traces}  # fmt: skip


def holds_place(
    vouchers: dict[int, Voucher], lines: Sequence[tuple[int, int, list]], *, order_kind: str,
    order_id: int, version_id: int, actor_id: int | None, at: dt.datetime,
) -> None:  # fmt: skip
    """Hold ``(voucher id, amount_fen, trace)`` of each locked voucher for the order: on
    PostgreSQL the vouchers' UPDATE, the ledger's INSERT and the holds' INSERT are one
    statement (one round trip on the booking hot path; ``HOLD_ONE_SQL`` for one voucher,
    ``HOLDS_SQL`` for several); elsewhere one movement at a time.
    The same constraints guard both: a balance never negative, once per (order, voucher)."""
    from vouchers.models import OrderVoucherHold

    if not lines:
        return
    conn = transaction.get_connection()  # one lookup of the proxied connection
    if conn.vendor != "postgresql":
        for voucher_id, amount, trace in lines:
            ledger_move(vouchers[voucher_id], kind=K.HOLD, amount_fen=amount, actor_id=actor_id,
                        order_kind=order_kind, order_id=order_id, version_id=version_id, at=at)  # fmt: skip
            OrderVoucherHold.objects.create(order_kind=order_kind, order_id=order_id,
                                            voucher_id=voucher_id, programme_version_id=version_id,
                                            held_fen=amount, trace=trace, created_at=at)  # fmt: skip
        return
    if any(amount <= 0 for _v, amount, _t in lines):
        raise ValueError("a movement moves a positive amount")
    params = {"order_kind": order_kind, "order_id": order_id, "version": version_id,
              "actor": actor_id, "at": at}  # fmt: skip
    sql, params = _holds_statement(lines, params, one=len(lines) == 1)
    with conn.cursor() as c:
        c.execute(sql, params)
        rows = c.fetchall()
    if len(rows) != len(lines) or rows[0] != (len(lines), len(lines)):
        raise RuntimeError("a hold did not move its voucher")
    for voucher_id, amount, _t in lines:
        voucher = vouchers[voucher_id]
        voucher.available_fen -= amount
        voucher.held_fen += amount
