"""The facts statement of ``vouchers.facts.order_facts_row``, one per shape, built once.

Hand-written where the ORM compiled the same statement on every call (~1.5 ms of CPU per
booking with a voucher). It mirrors the ORM query it replaced: the same joins, the same
related-party, audit-block and yearly-spending subqueries (``controller_group_q``'s group
for a per-controller cap); tests/vouchers prove the answers.
"""

# ruff: noqa: S608 — only table and column names, from the models, are interpolated.

from __future__ import annotations

from functools import cache

from accounts.models import Organisation
from facilities.models import Category, Instrument, TestingService
from vouchers.models import OrderVoucherHold, ProgrammeBlock, RelatedParty, Voucher


@cache
def facts_sql(service: bool, blocked: bool, year: str | None) -> str:
    """The facts statement for one shape: a testing service or an instrument; with the
    audit block or not; the year's spending of the firm, of its controller group, or none.
    Portable SQL; only table and column names are interpolated, every value is a named
    parameter (so psycopg prepares it after a few uses, one plan per shape)."""
    party, block = RelatedParty._meta.db_table, ProgrammeBlock._meta.db_table
    hold, voucher = OrderVoucherHold._meta.db_table, Voucher._meta.db_table
    blocked_sql = (
        f"EXISTS (SELECT 1 FROM {block} b WHERE b.programme_id = %(programme)s"
        " AND (b.organisation_id = %(firm)s OR b.organisation_id = i.provider_id))"
        if blocked else "FALSE"
    )  # fmt: skip
    whose = "v.firm_id = %(firm)s"
    if year == "group":  # controller_group_q: firms declaring one of the firm's controllers
        whose = (
            f"(v.firm_id = %(firm)s OR v.firm_id IN (SELECT g.organisation_id FROM {party} g"
            f" WHERE g.role = %(controller)s AND g.identifier IN (SELECT o.identifier"
            f" FROM {party} o WHERE o.organisation_id = %(firm)s AND o.role = %(controller)s)))"
        )
    used_sql = (
        f"(SELECT sum(CASE WHEN h.state = %(held)s THEN h.held_fen"
        f" ELSE h.captured_fen - h.reversed_fen END) FROM {hold} h"
        f" JOIN {voucher} v ON v.id = h.voucher_id WHERE v.programme_id = %(programme)s"
        f" AND h.created_at >= %(since)s AND {whose})"
        if year else "NULL"
    )  # fmt: skip
    return (
        f"SELECT {_item_columns()}, {blocked_sql}, {used_sql}{_service_columns(service)}"
        f" FROM {_item_from(service)} WHERE i.id = %(item)s"
    )


def _item_columns() -> str:
    """The item's category path, provider and its region, the firm's region, and whether
    firm and provider declared a shared party (the facts every shape reads)."""
    org, party = Organisation._meta.db_table, RelatedParty._meta.db_table
    category = Category._meta.db_table
    # The category's path by its key, not joined: PostgreSQL hashed the whole category
    # table for the join on every hold (~30 µs of its CPU, EXPLAIN on the bench data).
    return (
        f"(SELECT c.path FROM {category} c WHERE c.id = i.category_id) AS path,"
        f" i.provider_id, p.region_id,"
        f" (SELECT f.region_id FROM {org} f WHERE f.id = %(firm)s) AS firm_region,"
        f" EXISTS (SELECT 1 FROM {party} r WHERE r.organisation_id = i.provider_id"
        f" AND r.identifier IN (SELECT x.identifier FROM {party} x"
        f" WHERE x.organisation_id = %(firm)s)) AS related"
    )


def _service_columns(service: bool) -> str:
    return ", i.statutory_testing, i.voucher_eligible" if service else ""


def _item_from(service: bool) -> str:
    item = (TestingService if service else Instrument)._meta.db_table
    return f"{item} i JOIN {Organisation._meta.db_table} p ON p.id = i.provider_id"


@cache
def lock_facts_sql(service: bool) -> tuple[str, str]:
    """``(CTE, columns)`` that put the facts of ``facts_sql(service, True, None)`` into the
    hold's lock statement (``vouchers.ledger.vouchers_lock_facts``, one round trip fewer on the
    booking hot path): the CTE ``facts`` reads the item's row once, however many vouchers
    are locked, and the columns, on every locked voucher ``v``, give its facts row in
    ``facts_sql``'s order (the year's spending NULL), the audit block taken of the
    voucher's own programme. The statement left-joins ``facts ON TRUE``, so a missing item
    gives NULL facts, not a missing voucher."""
    block = ProgrammeBlock._meta.db_table
    cte = (
        f"WITH facts AS (SELECT {_item_columns()}{_service_columns(service)}"
        f" FROM {_item_from(service)} WHERE i.id = %(item)s)"
    )
    blocked = (
        f"EXISTS (SELECT 1 FROM {block} b WHERE b.programme_id = v.programme_id"
        " AND (b.organisation_id = %(firm)s OR b.organisation_id = facts.provider_id))"
    )
    columns = ["facts.path", "facts.provider_id", "facts.region_id", "facts.firm_region",
               "facts.related", blocked, "NULL"]  # fmt: skip
    if service:
        columns += ["facts.statutory_testing", "facts.voucher_eligible"]
    return cte, ", ".join(columns)
