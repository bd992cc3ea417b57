"""Read replicas: which alias a read-only query may use.

With ``DATABASE_REPLICA_URL`` set, settings add a ``replica`` alias. Nothing is routed to
it implicitly: a read that a write in the same request depends on must see that write, so
only the selectors that are read-only by nature (the tracker's dashboard, the public
summary, exports, reconciliation's recount) ask for ``replica_alias()`` and pass it to
``.using()``. Inside a transaction on the primary (a service reading what it just wrote,
a test wrapped in one) the answer is always the primary.
"""

from __future__ import annotations

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"


def replica_alias() -> str:
    """``"replica"`` when one is configured and the caller is not inside a transaction on
    the primary; otherwise ``"default"``."""
    if REPLICA not in settings.DATABASES:
        return DEFAULT_DB_ALIAS
    if connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return DEFAULT_DB_ALIAS
    return REPLICA


class PrimaryReplicaRouter:
    """Writes and migrations go to the primary; reads go where the caller says
    (``.using()``), the primary unless told. Objects from either alias may be related:
    they are the same database, one a little behind."""

    def db_for_read(self, model, **hints):
        return None

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS
