"""Races on real PostgreSQL connections: one code registers once; a firm is decided once."""

import threading

import pytest
from django.db import connection

from accounts import services
from accounts.models import FirmProfile, Organisation
from config.errors import Conflict, InvalidTransition
from tests.factories.accounts import (
    FirmProfileFactory,
    UserFactory,
    ensure_reference_data,
    firm_payload,
    make_reviewer,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # SQLite's shared in-memory test database answers "table is locked" instead of waiting.
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]


def race(*calls):
    """Run the calls at the same moment, each on its own connection; return results/errors."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait(timeout=10)
            outcomes[i] = call()
        except Exception as exc:  # collected and asserted on below
            outcomes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return outcomes


@pytest.fixture(autouse=True)
def _reference_data():
    ensure_reference_data()


def test_the_same_code_registered_twice_at_once_gives_one_firm_and_one_conflict():
    users = [UserFactory(), UserFactory(), UserFactory()]
    payload = firm_payload()
    outcomes = race(
        *[
            lambda u=u: services.firm_register(actor=u, **{**payload, "name": u.email})
            for u in users
        ]
    )
    wins = [o for o in outcomes if isinstance(o, services.FirmRegistration)]
    conflicts = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(wins) == 1 and len(conflicts) == 2, outcomes
    assert all(c.code == "uscc_already_registered" for c in conflicts)
    assert FirmProfile.objects.count() == 1
    assert Organisation.objects.filter(kind="firm").count() == 1  # the loser rolled back


def test_two_reviewers_deciding_at_once_one_wins():
    firm = FirmProfileFactory(verification=FirmProfile.Verification.PENDING)
    a, b = make_reviewer("330000"), make_reviewer("330100")
    outcomes = race(
        lambda: services.firm_verify(actor=a, firm_id=firm.pk),
        lambda: services.firm_reject(actor=b, firm_id=firm.pk, note="资料不全"),
    )
    decided = [o for o in outcomes if isinstance(o, FirmProfile)]
    refused = [o for o in outcomes if isinstance(o, InvalidTransition)]
    assert len(decided) == 1 and len(refused) == 1, outcomes
    firm.refresh_from_db()
    assert firm.verification == decided[0].verification
    assert firm.verified_by_id in (a.pk, b.pk)
