"""The tracker's pages and API read with plans made for their own parameters
(tracker/selectors/plans.py); transactional tests, so that SET LOCAL ends where it should."""

import threading

import pytest
from django.db import connection, connections

from config.db_router import replica_alias
from tests.factories.accounts import make_reviewer
from tracker.selectors.filters import usage_filters_for
from tracker.selectors.plans import custom_plans
from tracker.selectors.usage import usage_totals

custom_usage_totals = custom_plans()(usage_totals)

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


def _setting(name: str = "plan_cache_mode") -> str:
    with connections[replica_alias()].cursor() as cursor:
        cursor.execute(f"SHOW {name}")
        return cursor.fetchone()[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL setting")
def test_inside_a_dashboard_read_plans_are_custom_and_outside_they_are_not():
    before = _setting()
    with custom_plans():
        assert _setting() == "force_custom_plan"
    assert _setting() == before == "auto"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL setting")
def test_inside_a_dashboard_read_no_parallel_workers_start():
    before = _setting("max_parallel_workers_per_gather")
    with custom_plans():
        assert _setting("max_parallel_workers_per_gather") == "0"
    assert _setting("max_parallel_workers_per_gather") == before != "0"


def test_a_decorated_read_runs_at_once_in_many_threads():
    """One decorated function, a fresh context per call: threads do not share one."""
    filters = usage_filters_for(actor=make_reviewer("330000"))
    errors = []

    def read():
        try:
            custom_usage_totals(filters=filters)
        except Exception as exc:  # pragma: no cover - the failure this test looks for
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=read) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL index")
def test_target_progress_has_its_covering_index():
    """Migration 0013: a target's months read (kind, month, county) and count only."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'region_monthly_counts'")
        (definition,) = cursor.fetchone()
    assert "(kind, month, county) INCLUDE (count)" in definition


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL index")
def test_top_items_under_a_category_have_their_covering_index():
    """Migration 0014: a category's items of a year are sought by (category, year, kind),
    with everything the ranking reads, not by the key's range of every item of that year
    (bench/RESULTS.md, tracker session 13: 11 → 2.4 ms at 15 M events)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'item_yearly_by_category'"
        )
        (definition,) = cursor.fetchone()
    assert "(category_id, year, kind) INCLUDE (county, item_id, count)" in definition


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL index")
def test_top_items_of_a_region_have_their_covering_index():
    """Migration 0018: a city's or county's items of a year are sought by (year, kind,
    county), not by reading every item of that year and kind."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'item_yearly_by_county'")
        (definition,) = cursor.fetchone()
    assert "(year, kind, county) INCLUDE (item_id, count)" in definition


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL index")
def test_top_items_of_a_provider_have_their_covering_index():
    """Migration 0019: a provider's items of a year are sought by (provider, year, kind)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'item_yearly_by_provider'"
        )
        (definition,) = cursor.fetchone()
    assert "(provider_id, year, kind) INCLUDE (county, item_id, count)" in definition
