import datetime as dt

import pytest
from django.utils import timezone

from tests.factories.accounts import make_reviewer
from tests.factories.facilities import InstrumentFactory, TestingServiceFactory
from vouchers.services import issuing, programmes

YUAN = 100
# Yuhuan-style: 100% of a fee up to ¥500, 50% of the part above; ¥2,000 per order.
RULES = {
    "tiers": [
        {"up_to_fen": 500 * YUAN, "ratio_bp": 10_000},
        {"up_to_fen": None, "ratio_bp": 5_000},
    ],
    "cap_per_order_fen": 2_000 * YUAN,
    "voucher_valid_days": 90,
}


@pytest.fixture
def reviewer(db):
    """A reviewer of the province-wide department."""
    return make_reviewer("330000", email="reviewer@example.cn")


@pytest.fixture
def other_reviewer(db):
    """A reviewer of Ningbo's bureau: not the issuer of ``programme``."""
    return make_reviewer("330200", email="ningbo@example.cn")


def department_of(user):
    return user.memberships.get().organisation


def make_programme(reviewer, *, rules=None, publish=True, **extra):
    today = timezone.localdate()
    values = {
        "issuer_id": department_of(reviewer).pk, "region_code": "330000", "kind": "innovation",
        "name": "测试创新券", "budget_fen": 100_000 * YUAN,
        "valid_from": today - dt.timedelta(days=30), "valid_to": today + dt.timedelta(days=365),
        "rules": rules or RULES, **extra,
    }  # fmt: skip
    programme = programmes.programme_create(actor=reviewer, **values)
    if publish:
        programme = programmes.programme_publish(actor=reviewer, programme_id=programme.pk)
    return programme


@pytest.fixture
def programme(reviewer):
    return make_programme(reviewer)


@pytest.fixture
def issue(reviewer, programme):
    def _issue(firm, yuan=1_000, on=None):
        return issuing.voucher_issue(
            actor=reviewer, programme_id=(on or programme).pk, firm_id=firm.pk,
            amount_fen=yuan * YUAN,
        )  # fmt: skip

    return _issue


@pytest.fixture
def voucher(issue, firm_a, alice):
    return issue(firm_a)


@pytest.fixture
def instrument(provider):
    """¥200/h for firms, instant booking, open 08:00–20:00."""
    return InstrumentFactory(provider=provider)


@pytest.fixture
def service(provider):
    return TestingServiceFactory(provider=provider)


def slot(hours=3, start_hour=9):
    """A range the day after tomorrow (inside the booking horizon and lead time)."""
    day = timezone.localdate() + dt.timedelta(days=2)
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time(start_hour), tzinfo=tz)
    return start, start + dt.timedelta(hours=hours)
