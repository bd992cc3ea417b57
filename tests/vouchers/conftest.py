import datetime as dt

import pytest
from django.db.models import Sum
from django.utils import timezone

from booking.services import bookings as booking_services
from tests.factories.accounts import make_reviewer
from tests.factories.booking import at
from tests.factories.facilities import InstrumentFactory
from vouchers.models import LedgerEntry, Voucher
from vouchers.services import issuing, programmes

YUAN = 100
# 100% of a fee up to ¥500, 50% above; ¥2,000 per order; ¥5,000 a year.
RULES = {
    "tiers": [
        {"up_to_fen": 500 * YUAN, "ratio_bp": 10_000},
        {"up_to_fen": None, "ratio_bp": 5_000},
    ],
    "cap_per_order_fen": 2_000 * YUAN,
    "cap_per_year_fen": 5_000 * YUAN,
    "voucher_valid_days": 90,
}


@pytest.fixture
def reviewer(db):
    """A reviewer of a province-wide department."""
    return make_reviewer("330000", email="reviewer@example.cn")


def department_of(user):
    return user.memberships.get().organisation


def make_programme(reviewer, *, rules=None, budget_yuan=100_000, publish=True, **extra):
    today = timezone.localdate()
    values = {"issuer_id": department_of(reviewer).pk, "region_code": "330000",
              "kind": "innovation", "name": "测试创新券", "budget_fen": budget_yuan * YUAN,
              "valid_from": today - dt.timedelta(days=30), "valid_to": today + dt.timedelta(days=365),
              "rules": rules or RULES, **extra}  # fmt: skip
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
        return issuing.voucher_issue(actor=reviewer, programme_id=(on or programme).pk,
                                     firm_id=firm.pk, amount_fen=yuan * YUAN)  # fmt: skip

    return _issue


@pytest.fixture
def voucher(issue, firm_a, alice):
    return issue(firm_a)


@pytest.fixture
def instrument(provider):
    """¥200/h for firms, instant booking, open 08:00–20:00."""
    return InstrumentFactory(provider=provider)


def day_after_tomorrow():
    return timezone.localdate() + dt.timedelta(days=2)


@pytest.fixture
def book(alice, firm_a, instrument):
    def _book(vouchers=(), hours=3, start_hour=9, day=None, user=None, firm=None):
        start = at(day or day_after_tomorrow(), start_hour)
        return booking_services.booking_create(
            actor=user or alice, firm=firm or firm_a, instrument=instrument, start_at=start,
            end_at=start + dt.timedelta(hours=hours), purpose="测试", voucher_ids=[v.pk for v in vouchers],
        )  # fmt: skip

    return _book


def ledger_agrees(voucher: Voucher) -> None:
    """The voucher row equals its ledger's sums, and the balances add up to the face."""
    voucher.refresh_from_db()
    sums = {row["kind"]: row["s"] for row in
            LedgerEntry.objects.filter(voucher=voucher).values("kind").annotate(s=Sum("amount_fen"))}  # fmt: skip
    s = lambda k: sums.get(k, 0)  # noqa: E731
    assert s("issue") == voucher.face_fen
    assert voucher.held_fen == s("hold") - s("release") - s("capture")
    assert voucher.captured_fen == s("capture") - s("reverse")
    assert voucher.expired_fen == s("expire")
    assert voucher.available_fen == (
        s("issue") - s("hold") + s("release") - s("expire") + s("reverse")
    )
    assert (
        voucher.available_fen + voucher.held_fen + voucher.captured_fen + voucher.expired_fen
        == voucher.face_fen
    )
    assert (
        min(voucher.available_fen, voucher.held_fen, voucher.captured_fen, voucher.expired_fen) >= 0
    )


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
