"""The demo history goes through the subscriber's path: every city, counters = recount."""

import pytest

from tracker import demo
from tracker.models import DailyUsage, UsageEvent
from tracker.selectors.filters import usage_filters_for
from tracker.selectors.usage import usage_breakdown
from tracker.services.reconciliation import reconciliation_run

pytestmark = pytest.mark.django_db


def test_demo_history_covers_every_city_reconciles_and_runs_once(monkeypatch):
    monkeypatch.setattr(demo, "YEARS", {2020: (60, 80), 2024: (90, 120)})
    added = demo.seed_tracker_demo()
    assert added["uses"] + added["batches"] == UsageEvent.objects.count() > 300
    from accounts.models import User

    reviewer = User.objects.get(email="hz-dept@demo.labshare.cn")
    cities = usage_breakdown(filters=usage_filters_for(actor=reviewer), by="city")
    assert {r["key"] for r in cities} == {"330100"}  # the city reviewer sees its city only
    province = {c[:4] for c in DailyUsage.objects.values_list("county", flat=True)}
    assert len(province) == 11
    assert reconciliation_run().differences == 0
    assert demo.seed_tracker_demo()["uses"] == 0
