"""Queueing Celery work after commit without letting a broker outage fail the request.

The change has already committed when an on-commit callback runs: an exception there would
turn a done booking or sign-up into a 500, and the client would retry something that
happened. So a message that cannot be published is logged and dropped here; what must not
be lost has a durable queue of its own (the booking outbox, swept by beat), and what goes
through here is best effort (e-mail copies of notifications the user also sees in the app).
"""

from __future__ import annotations

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue(task, **kwargs) -> bool:
    """Publish ``task`` with ``kwargs``; False (and a warning) when the broker is down.
    With eager Celery (embedded default, tests) the task runs here and its errors surface."""
    if task.app.conf.task_always_eager:
        task.apply_async(kwargs=kwargs, ignore_result=True)
        return True
    try:
        task.apply_async(kwargs=kwargs, ignore_result=True)
    except Exception:
        logger.warning("broker unreachable: %s not queued", task.name, exc_info=True)
        return False
    return True


def enqueue_on_commit(task, **kwargs) -> None:
    """``enqueue`` once the surrounding transaction commits (at once outside one)."""
    transaction.on_commit(lambda: enqueue(task, **kwargs))
