"""Order events: the one seam through which other apps follow an order's life.

Every change of an order's state, its creation included, publishes one ``OrderEvent``
from inside the change's own transaction: ``booking.transitions`` publishes on each
move and on each creation (the SQL fast path of ``booking_insert`` included). Apps
higher in the layers (vouchers: hold, release, capture; tracker: one usage event per
completed order) subscribe in their ``AppConfig.ready()``; booking never imports them.

A subscriber runs synchronously, in the publisher's transaction, in subscription order
(INSTALLED_APPS order, as each app's ``ready()`` runs). What it may and may not do is in
``docs/order-events.md``: in short, database work only (no network, no e-mail: queue on
commit), locks only on its own rows taken after the order's, and any exception it raises
rolls the whole change back, which is how a voucher that cannot pay refuses the order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection


class OrderKind:
    BOOKING = "booking"
    SERVICE_REQUEST = "service_request"


@dataclass(frozen=True, slots=True)
class OrderEvent:
    """One move of one order. ``from_status`` is "" when the order was just created.

    ``fee_fen`` is what the order costs at this moment: the quote while it is open, the
    actual fee once it has one (a completed booking's fee follows its session log).
    ``voucher_ids`` are the vouchers the firm chose to pay with, carried only by the
    creation event; booking stores nothing about them. ``order`` is the instance that
    moved, for subscribers that need more of it than the event says.
    """

    order_kind: str
    order_id: int
    from_status: str
    to_status: str
    fee_fen: int
    actor_id: int | None
    at: dt.datetime
    firm_id: int
    provider_id: int
    voucher_ids: tuple[int, ...] = ()
    order: Any = field(default=None, compare=False, repr=False)
    # The rows of the registered creation read (``creation_read``), when the order's
    # INSERT ran it; None when it did not (the subscriber reads for itself).
    read: Any = field(default=None, compare=False, repr=False)

    @property
    def is_creation(self) -> bool:
        return self.from_status == ""


Subscriber = Callable[[OrderEvent], None]


@dataclass(frozen=True, slots=True)
class Subscription:
    name: str
    handler: Subscriber


_subscriptions: list[Subscription] = []


def order_events_subscribe(name: str, handler: Subscriber) -> None:
    """Register ``handler`` under ``name`` (e.g. "vouchers.money"); registering the same
    name again replaces it in place, so a re-run ``ready()`` cannot subscribe twice."""
    for i, existing in enumerate(_subscriptions):
        if existing.name == name:
            _subscriptions[i] = Subscription(name, handler)
            return
    _subscriptions.append(Subscription(name, handler))


@dataclass(frozen=True, slots=True)
class CreationRead:
    """A subscriber's SELECT of its own rows for a new order, which booking runs inside
    the order's INSERT statement (PostgreSQL, ``booking_insert``): one round trip fewer
    on the booking hot path. Positional ``%s`` placeholders and their parameters. It runs
    after the order's own locks (the instrument's, taken by an earlier statement) and may
    lock only the subscriber's rows; its rows reach the subscriber as ``OrderEvent.read``.
    """

    sql: str
    params: tuple


# (order kind, firm id, voucher ids, item id) -> the read, or None for none
CreationReader = Callable[[str, int, tuple[int, ...], int], "CreationRead | None"]
_creation_reader: list[CreationReader] = []


def creation_read_register(reader: CreationReader | None) -> None:
    """Register the one creation reader (vouchers.money's hold), or None to remove it."""
    _creation_reader[:] = [reader] if reader is not None else []


def creation_read(
    *, order_kind: str, firm_id: int, voucher_ids: tuple[int, ...], item_id: int
) -> CreationRead | None:
    """What the registered reader wants read inside a new order's INSERT; None without a
    reader or when it wants nothing (no vouchers chosen)."""
    if not _creation_reader or not voucher_ids:
        return None
    return _creation_reader[0](order_kind, firm_id, voucher_ids, item_id)


def order_events_unsubscribe(name: str) -> None:
    """Remove the subscriber ``name`` (tests listening for a while)."""
    _subscriptions[:] = [s for s in _subscriptions if s.name != name]


def order_events_subscribers() -> list[str]:
    """The subscribers' names, in the order they run."""
    return [s.name for s in _subscriptions]


def order_event_publish(event: OrderEvent) -> None:
    """Run every subscriber on ``event``, inside the caller's transaction (which must be
    open: an event published outside one would let a subscriber's work and the change
    commit separately)."""
    if not connection.in_atomic_block:
        raise RuntimeError("Order events are published only inside the change's transaction.")
    for subscription in _subscriptions:
        subscription.handler(event)
