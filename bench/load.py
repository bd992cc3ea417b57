"""Load generation with wrk: a C event loop that costs the 2-core machine far less CPU
than the Django workers it loads, so the client is not what limits the figures."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

LUA_DIR = Path(__file__).resolve().parent / "lua"
WRK_THREADS = 2


def ensure_wrk() -> str:
    path = shutil.which("wrk")
    if path is None:
        print("  installing wrk (Debian package)", flush=True)
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True, capture_output=True)
        path = shutil.which("wrk")
    return path


def wrk(url: str, script: str, *, seconds: int, connections: int, env: dict[str, str]) -> dict:
    """Run wrk with one of bench/lua's scripts; returns the figures its done() prints."""
    cmd = [
        ensure_wrk(),
        f"--threads={min(WRK_THREADS, connections)}",
        f"--connections={connections}",
        f"--duration={seconds}s",
        "--timeout=10s",
        "--script",
        str(LUA_DIR / script),
        url,
    ]
    full_env = {
        **os.environ,
        **env,
        "BENCH_LUA_DIR": str(LUA_DIR),
        "BENCH_THREADS": str(min(WRK_THREADS, connections)),
    }
    out = subprocess.run(cmd, env=full_env, capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        if line.startswith("BENCHJSON "):
            result = json.loads(line.removeprefix("BENCHJSON "))
            result["rate"] = result["requests"] / result["seconds"]
            return result
    raise RuntimeError(f"wrk printed no figures:\n{out}")


def describe(result: dict) -> str:
    statuses = ", ".join(f"{k}: {v}" for k, v in sorted(result["statuses"].items()))
    return (
        f"{result['rate']:.0f} req/s · p50 {result['p50']:.1f} ms · p95 {result['p95']:.1f} ms"
        f" · p99 {result['p99']:.1f} ms · {result['requests']} requests ({statuses})"
        + (f" · {result['errors']} socket errors" if result["errors"] else "")
    )
