"""CPU time spent serving requests: gunicorn's processes plus their PostgreSQL backends.

On a machine shared with other work, wall-clock latency mostly measures the queue for the
two cores; CPU milliseconds per request do not, and 2,000 / (CPU ms per request) estimates
what the same app would sustain on the two cores alone.
"""

from __future__ import annotations

import os
from pathlib import Path

from bench.sqlutil import rows

TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0  # the process has gone
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def _db_backends(app_name: str) -> list[int]:
    """The backends serving the measured gunicorn (tagged with its application_name)."""
    return [
        r[0]
        for r in rows("SELECT pid FROM pg_stat_activity WHERE application_name = %s", [app_name])
    ]


class CpuMeter:
    """``start()`` then ``stop()`` → CPU seconds used meanwhile by the server and its DB."""

    def __init__(self, server_pid: int, app_name: str):
        self.server_pid = server_pid
        self.app_name = app_name
        self.before: dict[int, float] = {}

    def _pids(self) -> set[int]:
        return {self.server_pid, *_children(self.server_pid), *_db_backends(self.app_name)}

    def start(self) -> CpuMeter:
        self.before = {p: _cpu_seconds(p) for p in self._pids()}
        return self

    def stop(self) -> float:
        """Total CPU seconds; ``self.db_seconds`` keeps the PostgreSQL backends' share."""
        db = set(_db_backends(self.app_name))
        pids = self._pids() | set(self.before)
        # A process born during the run counts from zero; one that died is lost (rare).
        used = {p: max(0.0, _cpu_seconds(p) - self.before.get(p, 0.0)) for p in pids}
        self.db_seconds = sum(v for p, v in used.items() if p in db)
        return sum(used.values())
