import datetime as dt

import pytest
from django.utils import timezone

from config.errors import Conflict, Invalid, NotFound
from facilities.models import Qualification
from facilities.services import qualification_grant, qualification_revoke
from tests.factories.accounts import make_provider, member_of
from tests.factories.booking import BookingFactory
from tests.factories.facilities import InstrumentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _alice_is_a_client(provider, alice):
    """Qualifying by id takes the lab's people and its clients' (facilities.trainees)."""
    BookingFactory(instrument=InstrumentFactory(provider=provider),
                   firm=alice.memberships.get().organisation)  # fmt: skip


def test_grant_then_renew_keeps_one_live_qualification(manager, provider, alice):
    instrument = InstrumentFactory(provider=provider, requires_training=True)
    first = qualification_grant(actor=manager, instrument=instrument, user=alice,
                                expires_on=timezone.localdate() + dt.timedelta(days=30))  # fmt: skip
    later = timezone.localdate() + dt.timedelta(days=365)
    again = qualification_grant(actor=manager, instrument=instrument, user=alice, expires_on=later)
    assert again.pk == first.pk
    assert Qualification.objects.get().expires_on == later
    assert again.is_valid_on(timezone.localdate())


def test_revoke_keeps_the_record(manager, provider, alice):
    instrument = InstrumentFactory(provider=provider)
    q = qualification_grant(actor=manager, instrument=instrument, user=alice)
    revoked = qualification_revoke(actor=manager, qualification=q)
    assert revoked.revoked_by == manager
    assert not revoked.is_valid_on(timezone.localdate())
    with pytest.raises(Conflict):
        qualification_revoke(actor=manager, qualification=q)
    assert Qualification.objects.count() == 1


def test_expiry_in_the_past_is_invalid(manager, provider, alice):
    instrument = InstrumentFactory(provider=provider)
    with pytest.raises(Invalid):
        qualification_grant(actor=manager, instrument=instrument, user=alice,
                            expires_on=timezone.localdate() - dt.timedelta(days=1))  # fmt: skip


def test_only_the_instruments_own_managers_grant_or_revoke(manager, provider, alice):
    instrument = InstrumentFactory(provider=provider)
    stranger = member_of(make_provider())
    with pytest.raises(NotFound):
        qualification_grant(actor=stranger, instrument=instrument, user=alice)
    q = qualification_grant(actor=manager, instrument=instrument, user=alice)
    with pytest.raises(NotFound):
        qualification_revoke(actor=stranger, qualification=q)
    with pytest.raises(NotFound):
        qualification_grant(actor=alice, instrument=instrument, user=alice)
