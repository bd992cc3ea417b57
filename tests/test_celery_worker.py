"""A real Celery worker on the real Redis sees an account email through.

Starts ``celery -A config worker`` as a subprocess on a Redis database of its own, sends
the ``accounts.tasks.send_email`` task for real (not eager), and waits for both the
result in the Redis result backend and the message written by the file email backend.
Skips only when Redis does not answer; never hangs (timeouts everywhere); always kills
the worker.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from celery import Celery

pytestmark = pytest.mark.celery_worker

ROOT = Path(__file__).resolve().parent.parent


def _own_database(url: str) -> str:
    """The same Redis server as REDIS_URL, database 11: this test's own, so it never eats
    messages meant for a running platform and can flush freely."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/11", "", ""))


REDIS_URL = os.environ.get("CELERY_TEST_REDIS_URL") or _own_database(
    os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
)
QUEUE = "labshare"
TIMEOUT = 60


def redis_or_skip():
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis is not reachable at {REDIS_URL}: {exc}")
    client.flushdb()  # leftovers of an aborted run would confuse the result


def start_worker(mail_dir: Path, log_path: Path, database_url: str = "") -> subprocess.Popen:
    env = {
        **os.environ,
        "REDIS_URL": REDIS_URL,
        "CELERY_QUEUE": QUEUE,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SQLITE_PATH": str(mail_dir.parent / "worker.sqlite3"),
    }
    # Under pytest-xdist the worker would otherwise shift REDIS_URL to its test worker's
    # own database (config.env.redis_url_for_test_worker) and never see the sent task.
    env.pop("PYTEST_XDIST_WORKER", None)
    env.pop("DATABASE_URL", None)  # the email task needs no database; others get the test's
    if database_url:
        env["DATABASE_URL"] = database_url
    celery = Path(sys.executable).with_name("celery")
    cmd = [str(celery), "-A", "config", "worker", "--pool=solo", "-Q", QUEUE, "--loglevel=INFO"]
    log = log_path.open("wb")
    return subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def stop_worker(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)


@pytest.fixture
def sender():
    """A Celery client of its own on Redis, so the suite's eager app is left untouched."""
    app = Celery("labshare-test-sender", broker=REDIS_URL, backend=REDIS_URL, set_as_current=False)
    app.conf.task_default_queue = QUEUE
    yield app
    app.close()


def wait_for_file(folder: Path, timeout: float) -> list[Path]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        files = [p for p in folder.glob("*.log") if p.stat().st_size > 0]
        if files:
            return files
        time.sleep(0.2)
    return []


def test_worker_sends_an_account_email(tmp_path, sender):
    redis_or_skip()
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    log_path = tmp_path / "worker.log"
    worker = start_worker(mail_dir, log_path)
    try:
        result = sender.send_task(
            "accounts.tasks.send_email",
            kwargs={
                "subject": "[LabShare] 请确认您的邮箱",
                "body": "请点击链接确认：http://127.0.0.1:8000/accounts/confirm-email/abc/",
                "to": ["worker-test@example.cn"],
            },
            queue=QUEUE,
        )
        try:
            # An eager task run earlier in this process leaves Celery believing it is inside a
            # task; this client is not, so allow the blocking wait explicitly.
            sent = result.get(timeout=TIMEOUT, disable_sync_subtasks=False)
        except Exception as exc:  # show the worker's log rather than a bare timeout
            pytest.fail(f"task did not complete: {exc!r}\n{log_path.read_text(errors='replace')}")
        assert sent == 1
        assert result.status == "SUCCESS"
        files = wait_for_file(mail_dir, timeout=10)
        assert files, log_path.read_text(errors="replace")
        content = files[0].read_text(encoding="utf-8", errors="replace")
        assert "worker-test@example.cn" in content
        assert "confirm-email/abc" in content
    finally:
        stop_worker(worker)
    assert worker.poll() is not None
