"""Two lab managers of one provider building claims at the same moment over the same
captured amounts: every order ends up in exactly one claim."""

import threading

import pytest
from django.db import connection

from config.errors import Conflict
from tests.claims.conftest import period
from tests.factories.accounts import UserFactory, join
from vouchers.models import ClaimLine, LedgerEntry
from vouchers.services import claims as services


@pytest.mark.django_db(transaction=True)
def test_two_managers_building_at_once_claim_each_order_once(completed, later, provider, manager):
    if connection.vendor != "postgresql":
        pytest.skip("needs real concurrent connections")
    second = UserFactory(email="second-manager@example.cn")
    join(second, provider)
    completed(4)
    barrier = threading.Barrier(2)
    results: list[str] = []

    def build(user):
        try:
            barrier.wait()
            claims = services.claim_build(actor=user, provider_id=provider.pk, **bounds)
            results.append(f"built {sum(c.line_count for c in claims)}")
        except Conflict as exc:
            results.append(exc.code)
        finally:
            connection.close()

    with later():
        bounds = period()
        threads = [threading.Thread(target=build, args=(u,)) for u in (manager, second)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert sorted(results) == ["built 4", "nothing_to_claim"]
    captures = LedgerEntry.objects.filter(kind="capture")
    assert captures.count() == 4
    for entry in captures:
        assert ClaimLine.objects.filter(capture_entry=entry).exclude(state="rejected").count() == 1
