"""Small SQL helpers for set-based generation: progress records, INSERT … SELECT that
survives new columns, and dropping/recreating a table's heavy indexes around a bulk load."""

from __future__ import annotations

import time
from contextlib import contextmanager

from django.db import connection, transaction

# Values for NOT NULL columns the generator does not know about yet (other engineers add
# fields while the bench is being written): the type's neutral value keeps INSERTs working.
_NEUTRAL = {
    "text": "''",
    "character varying": "''",
    "boolean": "false",
    "integer": "0",
    "smallint": "0",
    "bigint": "0",
    "double precision": "0",
    "numeric": "0",
    "timestamp with time zone": "now()",
    "date": "current_date",
    "jsonb": "'{}'::jsonb",
}


def execute(sql: str, params=None) -> int:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.rowcount


def scalar(sql: str, params=None):
    with connection.cursor() as cur:
        cur.execute(sql, params)
        row = cur.fetchone()
        return row[0] if row else None


def rows(sql: str, params=None) -> list[tuple]:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def ensure_bookkeeping() -> None:
    """The bench's own tables: what was generated, and generated rows' ids by sequence."""
    execute(
        "CREATE TABLE IF NOT EXISTS bench_progress (step text PRIMARY KEY, rows bigint,"
        " seconds double precision, done_at timestamptz DEFAULT now())"
    )
    for name in ("bench_providers", "bench_firms"):
        execute(
            f"CREATE TABLE IF NOT EXISTS {name} (seq int PRIMARY KEY, org_id bigint NOT NULL,"
            " user_id bigint NOT NULL)"
        )
    execute(
        "CREATE TABLE IF NOT EXISTS bench_instruments (seq int PRIMARY KEY, id bigint NOT NULL,"
        " provider_id bigint NOT NULL, bookable boolean NOT NULL, rate bigint NOT NULL)"
    )
    execute(
        "CREATE TABLE IF NOT EXISTS bench_services (seq int PRIMARY KEY, id bigint NOT NULL,"
        " price bigint NOT NULL)"
    )
    execute("CREATE TABLE IF NOT EXISTS bench_saved_ddl (tbl text, name text, ddl text)")


def is_done(step: str) -> bool:
    return scalar("SELECT 1 FROM bench_progress WHERE step = %s", [step]) is not None


@contextmanager
def step(name: str):
    """Run a generation step in one transaction and record it, so a rerun skips it."""
    started = time.perf_counter()
    counter = {"rows": 0}
    with transaction.atomic():
        yield counter
        execute(
            "INSERT INTO bench_progress (step, rows, seconds) VALUES (%s, %s, %s)"
            " ON CONFLICT (step) DO UPDATE SET rows = EXCLUDED.rows",
            [name, counter["rows"], time.perf_counter() - started],
        )
    print(
        f"  {name}: {counter['rows']:,} rows in {time.perf_counter() - started:.1f} s", flush=True
    )


def _unknown_required(table: str, known: set[str]) -> list[tuple[str, str]]:
    found = rows(
        "SELECT column_name, data_type FROM information_schema.columns"
        " WHERE table_name = %s AND is_nullable = 'NO' AND column_default IS NULL"
        " AND is_identity = 'NO' ORDER BY ordinal_position",
        [table],
    )
    return [(c, _NEUTRAL.get(t, "''")) for c, t in found if c not in known]


def insert_select(table: str, columns: dict[str, str], tail: str, params=None) -> int:
    """``INSERT INTO table (cols) SELECT exprs <tail>``, filling unknown NOT NULL columns."""
    extra = _unknown_required(table, set(columns))
    cols = [f'"{c}"' for c in [*columns, *(c for c, _ in extra)]]
    exprs = [*columns.values(), *(e for _, e in extra)]
    sql = f"INSERT INTO {table} ({', '.join(cols)}) SELECT {', '.join(exprs)} {tail}"
    return execute(sql, params)


def save_and_drop_heavy_ddl(table: str) -> None:
    """Drop foreign keys, exclusion/unique constraints and secondary indexes of ``table``
    before a bulk load (checking them row by row is what makes a load slow); their exact
    definitions are kept in bench_saved_ddl so an interrupted load can still restore them."""
    constraints = rows(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE conrelid = %s::regclass AND contype IN ('f', 'x', 'u')",
        [table],
    )
    indexes = rows(
        "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x"
        " JOIN pg_class i ON i.oid = x.indexrelid"
        " WHERE x.indrelid = %s::regclass AND NOT x.indisprimary"
        " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
        [table],
    )
    with transaction.atomic():
        for name, definition in constraints:
            ddl = f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}"
            execute("INSERT INTO bench_saved_ddl VALUES (%s, %s, %s)", [table, name, ddl])
            execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
        for name, ddl in indexes:
            execute("INSERT INTO bench_saved_ddl VALUES (%s, %s, %s)", [table, name, ddl])
            execute(f"DROP INDEX {name}")


def restore_heavy_ddl(table: str) -> None:
    """Recreate what save_and_drop_heavy_ddl removed: indexes first, then constraints."""
    saved = rows("SELECT name, ddl FROM bench_saved_ddl WHERE tbl = %s", [table])
    # Plain indexes before constraints, so foreign keys find their supporting indexes.
    saved.sort(key=lambda r: r[1].startswith("ALTER TABLE"))
    execute("SET maintenance_work_mem = '1GB'")
    for name, ddl in saved:
        started = time.perf_counter()
        with transaction.atomic():
            execute(ddl)
            execute("DELETE FROM bench_saved_ddl WHERE tbl = %s AND name = %s", [table, name])
        print(f"    rebuilt {name} in {time.perf_counter() - started:.1f} s", flush=True)


def copy_objects(model, objs: list) -> None:
    """Write unsaved model instances with COPY, giving them ids from the table's sequence.

    Values go through each field's own ``pre_save``/``get_db_prep_save`` (defaults, auto_now,
    custom fields all as the ORM would write them); bulk_create is avoided because Django
    5.2's UNNEST bulk insert mishandles a TextField subclass stored as text[] (the catalogue's
    ``search_tokens``)."""
    if not objs:
        return
    table = model._meta.db_table
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    ids = [
        r[0]
        for r in rows(
            f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, %s::int)",
            [len(objs)],
        )
    ]
    oids = dict(
        rows(
            "SELECT attname, atttypid::int FROM pg_attribute WHERE attrelid = %s::regclass"
            " AND attnum > 0 AND NOT attisdropped",
            [table],
        )
    )
    columns = ["id", *(f.column for f in fields)]
    quoted = ", ".join(f'"{c}"' for c in columns)
    sql = f"COPY {table} ({quoted}) FROM STDIN"
    with connection.cursor() as cur, cur.copy(sql) as copy:
        copy.set_types([oids[c] for c in columns])
        for pk, obj in zip(ids, objs, strict=True):
            obj.pk = pk
            values = [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
            copy.write_row([pk, *values])
