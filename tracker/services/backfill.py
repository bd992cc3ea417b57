"""Counting orders that were written as rows (the demo's history, an import), in bulk.

``usage_record_many`` gives each order the event the subscriber would have written
(the same facts and values: ``order_facts_many``, ``usage_values``), inserted set-based
and at most once per order (the unique constraint; orders already counted are skipped),
then rebuilds every counter from the events over the days the new events cover
(reconciliation's rebuild, under its table locks). One query per 500 orders instead of
one subscriber call per order. Live completions never come here: they count themselves,
in their own transaction (tracker.services.usage).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from booking.order_events import OrderKind
from tracker.models import UsageEvent
from tracker.services.reconciliation import counters_rebuild
from tracker.services.usage import order_facts_many, usage_values


@dataclass(frozen=True)
class Completion:
    order_kind: str
    order_id: int
    completed_at: object  # an aware datetime
    fee_fen: int
    voucher_fen: int = 0


def usage_record_many(completions: list[Completion]) -> int:
    """Insert the usage events of these completed orders (those not counted yet) and
    rebuild the counters over their days. Returns how many events went in."""
    events = []
    for kind in (OrderKind.BOOKING, OrderKind.SERVICE_REQUEST):
        mine = [c for c in completions if c.order_kind == kind]
        facts = order_facts_many(kind, [c.order_id for c in mine])
        for c in mine:
            if c.order_id not in facts:
                continue  # the order is gone: nothing to count
            values = usage_values(
                facts=facts[c.order_id], order_kind=c.order_kind, order_id=c.order_id,
                completed_at=c.completed_at, fee_fen=c.fee_fen, voucher_fen=c.voucher_fen,
            )  # fmt: skip
            events.append(UsageEvent(**values))
    if not events:
        return 0
    with transaction.atomic():
        before = UsageEvent.objects.count()
        UsageEvent.objects.bulk_create(events, batch_size=500, ignore_conflicts=True)
        added = UsageEvent.objects.count() - before
        if added:
            days = [e.completed_on for e in events]
            counters_rebuild(min(days), max(days))
    return added
