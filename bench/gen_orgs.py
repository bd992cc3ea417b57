"""Providers and firms, each with one member who can sign in, generated set-based."""

from __future__ import annotations

from django.contrib.auth.hashers import make_password
from django.db import connection

from accounts.uscc import check_character
from bench import names
from bench.sqlutil import execute, insert_select, rows, scalar, step

BENCH_PASSWORD = "bench-labshare-2026"
CHUNK = 50_000


def _arr(values) -> str:
    """An inline text[] literal; the vocabularies are ours, so quoting is simple."""
    return "ARRAY[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]::text[]"


def _pick(values, index_sql: str) -> str:
    return f"({_arr(values)})[1 + mod({index_sql}, {len(values)})]"


def _counties() -> list[str]:
    return [
        r[0] for r in rows("SELECT code FROM accounts_region WHERE level = 'county' ORDER BY code")
    ]


def _allocate(mapping: str, lo: int, hi: int) -> None:
    """Reserve organisation and user ids for sequence numbers lo..hi, so the set-based inserts
    below can all refer to them."""
    execute(
        f"INSERT INTO {mapping} (seq, org_id, user_id) SELECT s,"
        " nextval(pg_get_serial_sequence('accounts_organisation', 'id')),"
        " nextval(pg_get_serial_sequence('accounts_user', 'id'))"
        " FROM generate_series(%s::int, %s::int) s",
        [lo, hi],
    )


def _people(mapping: str, kind: str, role: str, lo: int, hi: int, password: str) -> int:
    where = f"FROM {mapping} WHERE seq BETWEEN {lo} AND {hi}"
    email = f"'bench-{kind}-' || lpad(seq::text, 6, '0') || '@bench.labshare.cn'"
    n = insert_select(
        "accounts_user",
        {
            "id": "user_id",
            "password": "%s",
            "is_superuser": "false",
            "first_name": "''",
            "last_name": "''",
            "is_staff": "false",
            "is_active": "true",
            "date_joined": "now()",
            "email": email,
            "full_name": _pick(names.SURNAMES, "seq") + " || " + _pick(names.GIVEN, "seq / 20"),
            "phone": "''",
            "language": "'zh-hans'",
        },
        where,
        [password],
    )
    insert_select(
        "account_emailaddress",
        {"email": email, "verified": "true", "primary": "true", "user_id": "user_id"},
        where,
    )
    insert_select(
        "accounts_membership",
        {
            "role": f"'{role}'",
            "is_admin": "true",
            "created_at": "now()",
            "organisation_id": "org_id",
            "user_id": "user_id",
        },
        where,
    )
    return n * 4


def _organisations(mapping: str, kind: str, name_sql: str, lo: int, hi: int) -> None:
    insert_select(
        "accounts_organisation",
        {
            "id": "org_id",
            "kind": f"'{kind}'",
            "name": name_sql,
            "is_active": "true",
            "created_at": "now() - (mod(seq, 900) || ' days')::interval",
            "region_id": _pick(_counties(), "seq * 7"),
        },
        f"FROM {mapping} WHERE seq BETWEEN {lo} AND {hi}",
    )


def generate_providers(target: int, password: str) -> None:
    have = scalar("SELECT count(*) FROM bench_providers")
    for lo in range(have + 1, target + 1, CHUNK):
        hi = min(lo + CHUNK - 1, target)
        with step(f"providers {lo}-{hi}") as done:
            _allocate("bench_providers", lo, hi)
            name = (
                _pick(names.PLACES, "seq")
                + " || "
                + _pick(names.PROVIDER_STEMS, "seq / 20")
                + " || '（' || seq || '）'"
            )
            _organisations("bench_providers", "provider", name, lo, hi)
            insert_select(
                "accounts_providerprofile",
                {
                    "organisation_id": "org_id",
                    "kind": _pick(names.PROVIDER_KINDS, "seq"),
                    "description": "'面向中小微企业开放大型科研仪器与检验检测服务。'",
                    "address": _pick(names.PLACES, "seq") + " || '市科技路 ' || seq || ' 号'",
                    "contact_name": _pick(names.SURNAMES, "seq") + " || '老师'",
                    "contact_phone": "'0571-' || (80000000 + seq)",
                    "contact_email": "'lab' || seq || '@bench.labshare.cn'",
                    "website": "''",
                },
                f"FROM bench_providers WHERE seq BETWEEN {lo} AND {hi}",
            )
            done["rows"] = (hi - lo + 1) * 2 + _people(
                "bench_providers", "lab", "lab_manager", lo, hi, password
            )


def _load_usccs(lo: int, hi: int) -> None:
    """Valid credit codes (check character per GB 32100-2015), computed here and loaded with
    one multi-row INSERT per chunk; SQL would make the mod-31 weighted sum hard to read."""
    execute("CREATE TEMP TABLE IF NOT EXISTS bench_uscc (seq int PRIMARY KEY, uscc text)")
    execute("TRUNCATE bench_uscc")
    values = []
    for s in range(lo, hi + 1):
        first17 = f"9133{(s * 7) % 10000:04d}MA{s:07d}"
        values.append((s, first17 + check_character(first17)))
    with connection.cursor() as cur, cur.copy("COPY bench_uscc (seq, uscc) FROM STDIN") as copy:
        for row in values:
            copy.write_row(row)


def generate_firms(target: int, password: str) -> None:
    have = scalar("SELECT count(*) FROM bench_firms")
    for lo in range(have + 1, target + 1, CHUNK):
        hi = min(lo + CHUNK - 1, target)
        with step(f"firms {lo}-{hi}") as done:
            _allocate("bench_firms", lo, hi)
            name = (
                _pick(names.PLACES, "seq")
                + " || "
                + _pick(names.FIRM_PREFIXES, "seq / 20")
                + " || "
                + _pick(names.FIRM_WORDS, "seq / 400")
                + " || '有限公司（' || seq || '）'"
            )
            _organisations("bench_firms", "firm", name, lo, hi)
            _load_usccs(lo, hi)
            insert_select(
                "accounts_firmprofile",
                {
                    "organisation_id": "f.org_id",
                    "uscc": "u.uscc",
                    "uscc_override_reason": "''",
                    "employees": "5 + mod(f.seq, 90)",
                    "revenue_fen": "(100 + mod(f.seq * 13, 1500)) * 1000000",
                    "size_class": "CASE WHEN mod(f.seq, 3) = 0 THEN 'micro' ELSE 'small' END",
                    "size_reason": "'工业：按从业人员与营业收入划型。'",
                    "legal_representative": _pick(names.SURNAMES, "f.seq") + " || '总'",
                    "actual_controller": "''",
                    "verification": "'verified'",
                    "verification_note": "''",
                    "verified_at": "now()",
                    "industry_id": "'industry'",
                },
                f"FROM bench_firms f JOIN bench_uscc u USING (seq) WHERE seq BETWEEN {lo} AND {hi}",
            )
            done["rows"] = (hi - lo + 1) * 2 + _people(
                "bench_firms", "firm", "firm_member", lo, hi, password
            )


def password_hash() -> str:
    """Hashed once: every generated user shares it (hashing 200,000 times would take hours)."""
    return make_password(BENCH_PASSWORD)
