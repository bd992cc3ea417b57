import pytest

from accounts.firm_size import classify
from accounts.models import FirmProfile, IndustrySizeRule

pytestmark = pytest.mark.django_db
YUAN = 100


@pytest.mark.parametrize(
    ("industry", "employees", "revenue_yuan", "size"),
    [
        ("industry", 20, 3_000_000, "small"),
        ("industry", 19, 50_000_000, "micro"),
        ("industry", 250, 2_999_999, "micro"),
        ("industry", 300, 20_000_000, None),
        ("industry", 299, 90_000_000, "small"),
        ("software_it", 10, 500_000, "small"),
        ("software_it", 9, 500_000, "micro"),
        ("wholesale", 5, 10_000_000, "small"),
        ("wholesale", 4, 10_000_000, "micro"),
        ("retail", 10, 1_000_000, "small"),
        ("retail", 10, 999_999, "micro"),
    ],
)
def test_classification_follows_the_national_thresholds(industry, employees, revenue_yuan, size):
    rule = IndustrySizeRule.objects.get(code=industry)
    verdict = classify(rule, employees=employees, revenue_fen=revenue_yuan * YUAN)
    assert verdict.size == size
    assert verdict.reason


def test_medium_firm_is_told_why_it_is_not_eligible():
    rule = IndustrySizeRule.objects.get(code="industry")
    verdict = classify(rule, employees=500, revenue_fen=30_000_000 * YUAN)
    assert not verdict.eligible
    assert "300" in verdict.reason


def test_micro_reason_names_the_rule():
    rule = IndustrySizeRule.objects.get(code="industry")
    verdict = classify(rule, employees=5, revenue_fen=10_000_000 * YUAN)
    assert verdict.size == FirmProfile.Size.MICRO
    assert "20" in verdict.reason
