"""The run's figures as a Markdown table, to paste into bench/RESULTS.md."""

from __future__ import annotations


def _cpu(r: dict) -> str:
    """CPU ms per request (app + db) and what two otherwise idle cores would then sustain."""
    if not r.get("cpu_ms"):
        return " | "
    return f"{r['cpu_ms']:.1f} | ≈{2000 / r['cpu_ms']:.0f}/s"


def _row(name: str, r: dict) -> str:
    if "missing" in r:
        return f"| {name} | not measured: {r['missing']} | | | | | | |"
    if "rate" in r and "p50" in r:  # wrk run
        statuses = ", ".join(f"{k}: {v}" for k, v in sorted(r["statuses"].items()))
        return (
            f"| {name} | {r['p50']:.1f} | {r['p95']:.1f} | {r['p99']:.1f} | {r['rate']:.0f}/s"
            f" ({statuses}) | {r['load']:.1f} | {_cpu(r)} |"
        )
    if "rate" in r:  # raw SQL loop
        return f"| {name} | | | | {r['rate']:.0f} rows/s ({r['statuses']}) | | | |"
    return (
        f"| {name} | {r['p50']:.1f} | {r['p95']:.1f} | {r['p99']:.1f} | n={r['n']}"
        f" | {r['load']:.1f} | {_cpu(r)} |"
    )


def markdown(results: dict) -> str:
    lines = [
        "| benchmark | p50 ms | p95 ms | p99 ms | throughput / samples | load avg"
        " | CPU ms/req | 2 idle cores |",
        "|---|---|---|---|---|---|---|---|",
    ]
    extra = []
    for name, r in results.items():
        if name == "booking_create ratios":
            extra.append(
                f"- bookings created per second: API {r['api_per_s']:.0f}, bare DRF insert"
                f" {r['bare_per_s']:.0f}, raw SQL {r['raw_per_s']:.0f}; API/bare {r['api/bare']:.2f},"
                f" API/raw {r['api/raw']:.3f}, bare/raw {r['bare/raw']:.3f}"
            )
        elif name == "booking_vouchers ratios":
            extra.append(
                f"- bookings created per second: no voucher {r['none_per_s']:.0f}, own voucher"
                f" {r['own_per_s']:.0f} ({r['own/none']:.2f} x), one hot voucher"
                f" {r['hot_per_s']:.0f} ({r['hot/none']:.2f} x)"
            )
        elif name == "booking_vouchers rounds":
            extra.append(
                f"- {len(r['ratios'])} rounds of no voucher and own voucher (alternating order): pair ratios"
                f" {', '.join(f'{x:.2f}' for x in r['ratios'])}; totals no voucher"
                f" {r['none_per_s']:.0f}/s ({r['none_cpu_ms']:.2f} ms CPU), own voucher"
                f" {r['own_per_s']:.0f}/s ({r['own_cpu_ms']:.2f} ms CPU): {r['own/none']:.3f} x"
            )
        elif name == "booking_vouchers proof":
            extra.append(
                f"- after the run: {r['negative']} negative balances, {r['mismatched']} vouchers"
                f" differing from their ledger, {r['holds_without_entry']} holds without their"
                f" entry, {r['entries']:,} ledger entries, {r['overlaps']} overlapping bookings"
            )
        elif name == "booking_create overlaps":
            extra.append(f"- overlapping live bookings after the run (SQL self-join): {r}")
        elif name == "booking_create courier":
            extra.append(
                f"- one courier process delivered {r['delivered']:,} of {r['queued']:,} queued"
                f" booking announcements in {r['seconds']:.1f} s: {r['rate']:.0f}/s"
            )
        else:
            lines.append(_row(name, r))
    return "\n".join(lines + [""] + extra)
