import pytest

from accounts import demo
from accounts.models import FirmProfile, Membership, Organisation, User
from accounts.selectors import firm_verification_queue
from accounts.uscc import validate_uscc

pytestmark = pytest.mark.django_db


def test_seed_is_idempotent_and_gives_believable_data():
    demo.seed()
    counts = (User.objects.count(), Organisation.objects.count(), Membership.objects.count())
    demo.seed()
    assert counts == (
        User.objects.count(),
        Organisation.objects.count(),
        Membership.objects.count(),
    )
    for firm in FirmProfile.objects.all():
        assert validate_uscc(firm.uscc) == firm.uscc
    cities = {firm.organisation.region.city_code for firm in FirmProfile.objects.all()}
    assert len(cities) >= 4
    providers = Organisation.objects.filter(kind="provider")
    assert providers.count() >= 4
    assert User.objects.get(email=demo.LAB2_EMAIL).memberships.get().role == "lab_manager"


def test_reviewers_queues_are_not_empty():
    demo.seed()
    province = User.objects.get(email=demo.DEPT_EMAIL)
    assert firm_verification_queue(actor=province).count() >= 2
    assert User.objects.get(email=demo.FIRM_EMAIL).check_password(demo.DEMO_PASSWORD)
