"""booking_vouchers: POST /api/v1/bookings/ through gunicorn + wrk, 32 connections, in one
run: without a voucher, with each firm's own voucher, and all clients spending one hot
voucher; then the proof (no balance negative, every voucher row equal to its ledger, no
overlapping bookings); and the wallet page and GET /api/v1/vouchers/ latency.

Needs the voucher fixtures of ``bench/vouchers_bench.py --phase setup`` in the same database
(a programme paying 50 %, five vouchers for each generated firm, one hot voucher of
¥10,000,000 for a firm of its own with 20 more vouchers):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/labshare_bench_vouchers \\
        .venv/bin/python bench/run.py --scale national --skip-generate --only booking_vouchers
"""

from __future__ import annotations

import json
import os
import tempfile
import time

from bench import fixtures
from bench.booking_load import _candidate_slots, _http_phase, overlaps_since
from bench.client import Client, timed
from bench.fixtures import FirmUser
from bench.sqlutil import rows, scalar

STATE = os.path.join(tempfile.gettempdir(), "vouchers_bench_state.json")


def _tokens(lines: list[tuple[str, int, int | None]]) -> str:
    """A wrk token file: "token<TAB>firm[<TAB>voucher]" lines (bench/lua/post_bookings.lua)."""
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False) as f:
        for token, firm, voucher in lines:
            f.write(f"{token}\t{firm}" + (f"\t{voucher}" if voucher else "") + "\n")
    return f.name


def _setup_user(base: str, which: int) -> tuple[FirmUser, int]:
    """The member of the setup's firm number ``which`` (20 vouchers each; the first also
    holds the hot voucher) with a token and the bench password (the setup made members
    with the test factories' password and hasher), and the hot voucher's id."""
    from accounts.models import User
    from bench.gen_orgs import BENCH_PASSWORD

    with open(STATE) as f:
        state = json.load(f)
    user_pk, firm_pk = state["people"][which][0], state["people"][which][1]
    user = User.objects.get(pk=user_pk)
    if not user.check_password(BENCH_PASSWORD):
        user.set_password(BENCH_PASSWORD)
        user.save(update_fields=["password"])
    users, _how = fixtures.with_tokens(base, [FirmUser(user.email, user.pk, firm_pk)])
    return users[0], state["hot"]


def proof(first_booking: int) -> dict:
    """Invariant 3 over the whole table after the run, and invariant 1 over the run's
    bookings: vouchers with a negative balance, vouchers whose four balances differ from
    their ledger's sums or do not add up to the face value, live overlapping pairs."""
    started = time.perf_counter()
    negative = scalar(
        "SELECT count(*) FROM vouchers_voucher"
        " WHERE least(available_fen, held_fen, captured_fen, expired_fen) < 0"
    )
    mismatched = scalar("""
        SELECT count(*) FROM vouchers_voucher v LEFT JOIN (
          SELECT voucher_id,
            sum(amount_fen) FILTER (WHERE kind = 'issue') AS issued,
            sum(amount_fen) FILTER (WHERE kind = 'hold') AS held,
            sum(amount_fen) FILTER (WHERE kind = 'release') AS released,
            sum(amount_fen) FILTER (WHERE kind = 'capture') AS captured,
            sum(amount_fen) FILTER (WHERE kind = 'expire') AS expired,
            sum(amount_fen) FILTER (WHERE kind = 'reverse') AS reversed
          FROM vouchers_ledgerentry GROUP BY voucher_id) l ON l.voucher_id = v.id
        WHERE v.held_fen <> coalesce(l.held, 0) - coalesce(l.released, 0) - coalesce(l.captured, 0)
           OR v.captured_fen <> coalesce(l.captured, 0) - coalesce(l.reversed, 0)
           OR v.expired_fen <> coalesce(l.expired, 0)
           OR v.available_fen <> coalesce(l.issued, 0) - coalesce(l.held, 0)
                + coalesce(l.released, 0) - coalesce(l.expired, 0) + coalesce(l.reversed, 0)
           OR v.available_fen + v.held_fen + v.captured_fen + v.expired_fen <> v.face_fen""")
    holds_vs_ledger = scalar("""
        SELECT count(*) FROM vouchers_ordervoucherhold h
         WHERE h.state = 'held' AND h.order_kind = 'booking' AND h.order_id > %s
           AND NOT EXISTS (SELECT 1 FROM vouchers_ledgerentry e WHERE e.kind = 'hold'
                 AND e.order_kind = 'booking' AND e.order_id = h.order_id
                 AND e.voucher_id = h.voucher_id AND e.amount_fen = h.held_fen)""",
        [first_booking])  # fmt: skip
    return {
        "negative": negative,
        "mismatched": mismatched,
        "holds_without_entry": holds_vs_ledger,
        "entries": scalar("SELECT count(*) FROM vouchers_ledgerentry"),
        "overlaps": overlaps_since(first_booking),
        "seconds": time.perf_counter() - started,
    }


_SERVER_COUNTERS = """
    SELECT d.blks_read, d.blks_hit, w.wal_records, w.wal_fpi, w.wal_bytes, b.buffers_backend
      FROM pg_stat_database d, pg_stat_wal w, pg_stat_bgwriter b
     WHERE d.datname = current_database()"""


def _server_counters() -> tuple:
    """PostgreSQL's counters for the phase (the whole server's WAL and backend writes: the
    other engineer's work shows in them too when it runs)."""
    return tuple(int(x) for x in rows(_SERVER_COUNTERS)[0])


def _phase(ctx, name: str, slots, lines) -> dict:
    tokens = _tokens(lines)
    try:
        before = _server_counters()
        result = _http_phase(ctx.server, "/api/v1/bookings/", slots, tokens, ctx)
        delta = [a - b for a, b in zip(_server_counters(), before, strict=True)]
    finally:
        os.unlink(tokens)
    ctx.record_load(name, result)
    # warm-up included: per request of the measured run, an approximation
    n = max(1, result["requests"])
    names = ("blocks read", "blocks hit", "WAL records", "full-page images", "WAL bytes",
             "buffers written by backends")  # fmt: skip
    result["server_per_request"] = dict(zip(names, (d / n for d in delta), strict=True))
    print("    per request (warm-up included): "
          + " · ".join(f"{k} {v:.1f}" for k, v in result["server_per_request"].items()), flush=True)  # fmt: skip
    return result


def _created(result: dict) -> float:
    return result["statuses"].get("201", 0) / result["seconds"]


def booking_vouchers(ctx) -> None:
    if not os.path.exists(STATE) or not scalar(
        "SELECT count(*) FROM (SELECT 1 FROM vouchers_voucher WHERE code LIKE 'BK-%%' LIMIT 1) s"
    ):
        ctx.missing("booking_vouchers", "no voucher fixtures: run bench/vouchers_bench.py"
                    " --phase setup --bulk-firms 200000 on this database first")  # fmt: skip
        return
    users = ctx.users
    topped = fixtures.own_vouchers_top_up([u.firm_id for u in users])
    if topped:
        print(f"  {topped} bench firms given a new ¥100 M bench voucher (theirs were spent)")
    own = fixtures.own_vouchers([u.firm_id for u in users])
    hot_user, hot = _setup_user(ctx.base, 0)
    # Before the phases, and a firm they do not touch: the hot firm's wallet grows by
    # every run's holds (its ledger timeline), which is not what a firm's wallet looks like.
    _wallet(ctx, _setup_user(ctx.base, 1)[0])
    slots = _candidate_slots(
        fixtures.random_instruments(1000, bookable_only=True, seed=time.time_ns())
    )
    rounds = max(1, getattr(ctx.args, "rounds", 1))
    part = len(slots) // (2 * rounds + 1)  # disjoint parts: no phase asks for another's slots
    first_id = scalar("SELECT coalesce(max(id), 0) FROM booking_booking")
    hot_before = rows("SELECT available_fen, held_fen FROM vouchers_voucher WHERE id = %s", [hot])
    print(f"  {len(slots):,} free one-hour slots; wrk, {ctx.args.clients} connections,"
          f" {ctx.args.duration} s a phase, {rounds} round(s) of no voucher and own voucher, in"
          f" alternating order;"
          f" hot voucher {hot} (available, held: {hot_before[0]})", flush=True)  # fmt: skip
    pairs = []
    for r in range(rounds):
        # One round's two phases back to back, so a pair's ratio shares the machine's state
        # (the other engineer's load, the VM's neighbours); several pairs show the spread.
        # The order alternates (none, own, own, none, none, own, …): a drift within the run
        # (the tables and indexes growing, caches warming, the other engineer's load)
        # would otherwise always fall on the same side of every pair.
        suffix = f", round {r + 1}" if rounds > 1 else ""
        at = 2 * r * part
        phases = {
            "none": (f"booking_create API, no voucher{suffix}",
                     [(u.token, u.firm_id, None) for u in users]),
            "own": (f"booking_create API, the firm's own voucher{suffix}",
                    [(u.token, u.firm_id, own[u.firm_id]) for u in users]),
        }  # fmt: skip
        done = {}
        for k, kind in enumerate(("none", "own") if r % 2 == 0 else ("own", "none")):
            name, lines = phases[kind]
            done[kind] = _phase(ctx, name, slots[at + k * part : at + (k + 1) * part], lines)
        base, own_r = done["none"], done["own"]
        pairs.append((base, own_r))
        print(f"    round {r + 1}: no voucher {_created(base):.0f}/s ({base['cpu_ms']:.2f} ms CPU)"
              f" · own voucher {_created(own_r):.0f}/s ({own_r['cpu_ms']:.2f} ms CPU)"
              f" → {_created(own_r) / _created(base):.3f} x", flush=True)  # fmt: skip
    hot_r = _phase(ctx, "booking_create API, 32 clients on one hot voucher",
                   slots[2 * rounds * part :], [(hot_user.token, hot_user.firm_id, hot)])  # fmt: skip
    if rounds > 1:
        _report_rounds(ctx, pairs)
    a, b, c = _created(base), _created(own_r), _created(hot_r)
    if rounds > 1:  # the totals over all rounds, not the last pair
        a, b = (sum(p[i]["statuses"].get("201", 0) for p in pairs)
                / sum(p[i]["seconds"] for p in pairs) for i in (0, 1))  # fmt: skip
    ctx.results["booking_vouchers ratios"] = {"none_per_s": a, "own_per_s": b, "hot_per_s": c,
                                              "own/none": b / a, "hot/none": c / a}  # fmt: skip
    print(f"  created/s: no voucher {a:.0f} · own voucher {b:.0f} ({b / a:.2f} x)"
          f" · one hot voucher {c:.0f} ({c / a:.2f} x)", flush=True)  # fmt: skip
    hot_after = rows("SELECT available_fen, held_fen FROM vouchers_voucher WHERE id = %s", [hot])
    held = rows(
        "SELECT count(*), coalesce(sum(held_fen), 0) FROM vouchers_ordervoucherhold"
        " WHERE voucher_id = %s AND order_id > %s", [hot, first_id])[0]  # fmt: skip
    print(f"  hot voucher after: (available, held) {hot_after[0]}; holds this run {held}")
    result = proof(first_id)
    ctx.results["booking_vouchers proof"] = result
    print(f"  proof ({result['seconds']:.0f} s): {result['negative']} negative balances ·"
          f" {result['mismatched']} vouchers differing from their ledger ·"
          f" {result['holds_without_entry']} holds without their ledger entry ·"
          f" {result['entries']:,} ledger entries · {result['overlaps']} overlapping pairs",
          flush=True)  # fmt: skip


def _report_rounds(ctx, pairs: list[tuple[dict, dict]]) -> None:
    """Each round's ratio and the ratio of the totals (created over seconds, all rounds),
    with CPU ms per request weighted by requests."""

    def total(i: int) -> tuple[float, float]:
        created = sum(p[i]["statuses"].get("201", 0) for p in pairs)
        seconds = sum(p[i]["seconds"] for p in pairs)
        requests = sum(p[i]["requests"] for p in pairs)
        cpu = sum(p[i]["cpu_ms"] * p[i]["requests"] for p in pairs) / max(1, requests)
        db = sum(p[i].get("db_cpu_ms", 0) * p[i]["requests"] for p in pairs) / max(1, requests)
        return created / seconds, cpu, db

    (none, none_cpu, none_db), (own, own_cpu, own_db) = total(0), total(1)
    ratios = [_created(o) / _created(n) for n, o in pairs]
    ctx.results["booking_vouchers rounds"] = {
        "ratios": ratios, "none_per_s": none, "own_per_s": own, "own/none": own / none,
        "none_cpu_ms": none_cpu, "own_cpu_ms": own_cpu, "none_db_cpu_ms": none_db,
        "own_db_cpu_ms": own_db,
    }  # fmt: skip
    print(f"  {len(pairs)} rounds: pair ratios {', '.join(f'{r:.2f}' for r in ratios)};"
          f" totals no voucher {none:.0f}/s ({none_cpu:.2f} ms CPU) · own voucher {own:.0f}/s"
          f" ({own_cpu:.2f} ms CPU) → {own / none:.3f} x; of the CPU PostgreSQL's"
          f" {none_db:.2f} / {own_db:.2f} ms (extra per voucher booking {own_cpu - none_cpu:+.2f}"
          f" ms, PostgreSQL {own_db - none_db:+.2f})", flush=True)  # fmt: skip


def _wallet(ctx, user: FirmUser) -> None:
    """The wallet page signed in, and the API list with a token, for ``user``'s firm."""
    from bench.benchmarks import _sign_in

    n = scalar("SELECT count(*) FROM vouchers_voucher WHERE firm_id = %s", [user.firm_id])
    page = _sign_in(ctx, user)
    summary, statuses = timed(lambda i: page.get("/vouchers/"), ctx.args.samples, meter=ctx.meter)
    ctx.record(f"wallet page /vouchers/ ({n} vouchers)", summary, f"statuses {statuses}")
    api = Client(ctx.base, token=user.token)
    summary, statuses = timed(lambda i: api.get("/api/v1/vouchers/"), ctx.args.samples,
                              meter=ctx.meter)  # fmt: skip
    ctx.record(f"GET /api/v1/vouchers/ ({n} vouchers)", summary, f"statuses {statuses}")
