"""gunicorn started and stopped by the bench, configured as production would run it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.client import Client

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"
LOG = Path(tempfile.gettempdir()) / "labshare-bench-gunicorn.log"


# Production runs Redis as cache and Celery broker, so notification e-mails leave the request
# on a queue. The bench uses its own Redis database (flushed afterwards) unless REDIS_URL is set.
BENCH_REDIS_URL = "redis://127.0.0.1:6379/15"


def redis_url() -> str:
    return os.environ.get("REDIS_URL") or BENCH_REDIS_URL


def flush_bench_redis() -> None:
    """Drop the Celery messages queued during the run (no worker consumes them here)."""
    if redis_url() == BENCH_REDIS_URL:
        import redis

        redis.Redis.from_url(BENCH_REDIS_URL).flushdb()


def server_env(url: str, settings: str) -> dict[str, str]:
    """Production-like: DEBUG off, persistent DB connections, Redis cache and broker; no
    sign-in lockout or API throttling getting in the way of a load test."""
    return {
        **os.environ,
        "REDIS_URL": redis_url(),
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": settings,
        "DJANGO_DEBUG": "0",
        "DB_CONN_MAX_AGE": os.environ.get("DB_CONN_MAX_AGE", "600"),
        "AXES_ENABLED": "0",
        "API_USER_RATE": "10000000/min",
        "API_ANON_RATE": "10000000/min",
        "API_TOKEN_RATE": "10000000/min",
        "LOG_LEVEL": "ERROR",
    }


def _wait_until_up(base: str, proc: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited; see {LOG}")
        try:
            if Client(base).get("/accounts/login/").status == 200:
                return
        except OSError:
            pass  # not listening yet
        time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer in {timeout} s; see {LOG}")


def free_port(candidates: tuple[int, ...]) -> int:
    """The first of our ports nothing listens on. Others run this bench too; answering on a
    port someone else's gunicorn holds would silently measure their server."""
    for port in candidates:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError(f"ports {candidates} are all in use")


@dataclass(frozen=True)
class Server:
    base: str
    pid: int  # gunicorn's master; its children are the workers
    app_name: str = ""  # PostgreSQL application_name of its connections


def app_name(port: int) -> str:
    return f"labshare-bench-{port}"


def _with_app_name(url: str, name: str) -> str:
    """Tag the server's database connections, so CPU accounting counts only their backends
    (others may run this bench against the same database at the same time)."""
    return f"{url}{'&' if '?' in url else '?'}application_name={name}"


@contextmanager
def gunicorn(url: str, *, port: int, workers: int, threads: int, settings="config.settings"):
    """Serve the app on 127.0.0.1:port for the duration of the block; yields a Server."""
    cmd = [
        str(GUNICORN),
        "config.wsgi:application",
        f"--bind=127.0.0.1:{port}",
        f"--workers={workers}",
        f"--threads={threads}",
        "--backlog=2048",
        "--preload",  # import Django once in the master: workers answer as soon as they fork
        "--log-level=warning",
    ]
    if threads > 1:
        cmd.append("--worker-class=gthread")
    base = f"http://127.0.0.1:{port}"
    with LOG.open("a") as log:
        proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env=server_env(_with_app_name(url, app_name(port)), settings),
            stdout=log,
            stderr=log,
        )
    try:
        _wait_until_up(base, proc)
        yield Server(base, proc.pid, app_name(port))
    finally:
        proc.send_signal(signal.SIGTERM)  # graceful stop of our own gunicorn only
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
