"""What the benchmarks act with: generated firm users, their API tokens, sample ids."""

from __future__ import annotations

import random
from dataclasses import dataclass

from bench.client import Client
from bench.gen_orgs import BENCH_PASSWORD
from bench.sqlutil import execute, rows


@dataclass(frozen=True)
class FirmUser:
    email: str
    user_id: int
    firm_id: int
    token: str = ""


def firm_users(n: int) -> list[FirmUser]:
    found = rows(
        "SELECT u.email, f.user_id, f.org_id FROM bench_firms f"
        " JOIN accounts_user u ON u.id = f.user_id ORDER BY f.seq LIMIT %s",
        [n],
    )
    return [FirmUser(email, uid, fid) for email, uid, fid in found]


def _obtain(base: str, user: FirmUser) -> str | None:
    try:
        r = Client(base).post_json(
            "/api/v1/auth/token/", {"email": user.email, "password": BENCH_PASSWORD}
        )
    except OSError:  # no server (bench/profile_create.py): the caller writes the row itself
        return None
    return r.json().get("token") if r.status in (200, 201) else None


def _create_directly(user: FirmUser) -> str:
    """Fallback while the token endpoint is not there: the same row it would write."""
    import secrets

    from accounts.authentication import token_digest
    from accounts.models import ApiToken

    key = secrets.token_hex(20)
    ApiToken.objects.create(
        user_id=user.user_id, name="bench", prefix=key[:8], digest=token_digest(key)
    )
    return key


def with_tokens(base: str, users: list[FirmUser]) -> tuple[list[FirmUser], str]:
    """Give each user a live token, reusing the ones earlier runs obtained (signing in costs
    a deliberate ~0.3 s of password hashing each); returns the users and how tokens were got."""
    execute("CREATE TABLE IF NOT EXISTS bench_tokens (user_id bigint PRIMARY KEY, token text)")
    from accounts.authentication import token_digest
    from accounts.models import ApiToken

    known = dict(rows("SELECT user_id, token FROM bench_tokens"))
    out, how = [], "reused"
    for user in users:
        token = known.get(user.user_id)
        live = (
            token and ApiToken.objects.filter(digest=token_digest(token), revoked_at=None).exists()
        )
        if not live:
            token = _obtain(base, user)
            how = (
                "POST /api/v1/auth/token/"
                if token
                else "created in the database (no token endpoint)"
            )
            token = token or _create_directly(user)
            execute(
                "INSERT INTO bench_tokens VALUES (%s, %s) ON CONFLICT (user_id) DO UPDATE"
                " SET token = EXCLUDED.token",
                [user.user_id, token],
            )
        out.append(FirmUser(user.email, user.user_id, user.firm_id, token))
    return out, how


TOP_UP_FEN = 10**10  # ¥100 M: some 300,000 bench bookings at half of a ¥300–700 fee


def own_vouchers_top_up(firm_ids: list[int], *, least_fen: int = 10**9) -> int:
    """Give each firm whose best bench voucher has less than ``least_fen`` left a new bench
    voucher of ``TOP_UP_FEN`` with its issue entry (as the setup's bulk SQL does, in one
    transaction, so ledger = balances holds): the setup's five ¥100,000 vouchers a firm each
    last ~300 bookings, fewer than one run of several own-voucher rounds makes. Returns how
    many were issued."""
    from django.db import transaction

    with transaction.atomic():
        n = execute(
            """INSERT INTO vouchers_voucher (firm_id, programme_id, application_id, code, face_fen,
                   available_fen, held_fen, captured_fen, expired_fen, issued_at, expires_at)
               SELECT b.firm_id, b.programme_id, NULL,
                      'BK-' || b.firm_id || '-T' || (extract(epoch FROM now()) * 1000)::bigint,
                      %(face)s, %(face)s, 0, 0, 0, now(), now() + interval '300 days'
                 FROM (SELECT firm_id, min(programme_id) AS programme_id,
                              max(available_fen) AS best FROM vouchers_voucher
                        WHERE firm_id = ANY(%(firms)s) AND code LIKE 'BK-%%' AND expires_at > now()
                        GROUP BY firm_id) b
                WHERE b.best < %(least)s""",
            {"firms": list(firm_ids), "face": TOP_UP_FEN, "least": least_fen},
        )
        execute(
            """INSERT INTO vouchers_ledgerentry (voucher_id, kind, amount_fen, order_kind, order_id,
                   programme_version_id, actor_id, note, at)
               SELECT v.id, 'issue', v.face_fen, '', NULL, p.current_version_id, NULL,
                      'bench top-up', v.issued_at
                 FROM vouchers_voucher v JOIN vouchers_programme p ON p.id = v.programme_id
                WHERE v.firm_id = ANY(%(firms)s) AND v.code LIKE 'BK-%%-T%%'
                  AND NOT EXISTS (SELECT 1 FROM vouchers_ledgerentry e WHERE e.voucher_id = v.id)""",
            {"firms": list(firm_ids)},
        )
    return n


def own_vouchers(firm_ids: list[int]) -> dict[int, int]:
    """{firm id: its bulk voucher with the most left} (bench/vouchers_bench.py's setup gives
    each generated firm five; each run's holds spend one down, and a spent voucher would
    turn the phase into a run of 409 voucher_exhausted)."""
    found = dict(
        rows(
            "SELECT DISTINCT ON (firm_id) firm_id, id FROM vouchers_voucher"
            " WHERE firm_id = ANY(%s) AND code LIKE 'BK-%%' AND expires_at > now()"
            " ORDER BY firm_id, available_fen DESC, id",
            [list(firm_ids)],
        )
    )
    missing = [f for f in firm_ids if f not in found]
    if missing:
        raise SystemExit(f"firms without a bench voucher: {missing[:5]}; run the voucher setup")
    return found


def random_instruments(n: int, *, bookable_only: bool = False, seed: int = 7) -> list[int]:
    """Random listed instruments (retired ones are not shown to firms)."""
    where = "AND b.bookable" if bookable_only else ""
    ids = [
        r[0]
        for r in rows(
            "SELECT b.id FROM bench_instruments b JOIN facilities_instrument i ON i.id = b.id"
            f" WHERE i.status <> 'retired' {where}"
        )
    ]
    rnd = random.Random(seed)
    return rnd.sample(ids, min(n, len(ids)))


def busiest_category_and_city() -> tuple[int, str]:
    """A leaf category (spectroscopy, where 光谱 matches names) and Hangzhou."""
    cat = rows("SELECT id FROM facilities_category WHERE code = 'B01'")
    return (cat[0][0] if cat else 0), "330100"
