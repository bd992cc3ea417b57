"""The tier and cap arithmetic, against hand-worked examples of the three seeded schemes."""

import datetime as dt

import pytest

from config.errors import Invalid
from vouchers.rules import (
    OrderFacts,
    VoucherFacts,
    capture_split,
    coverage,
    rules_parse,
    split,
    trace_text,
)

NOW = dt.datetime(2026, 12, 1, 4, tzinfo=dt.UTC)
LATER = NOW + dt.timedelta(days=60)
YUAN = 100
HALF = {"tiers": [{"up_to_fen": None, "ratio_bp": 5_000}]}

YUHUAN = rules_parse({
    "tiers": [{"up_to_fen": 10_000 * YUAN, "ratio_bp": 10_000}, {"up_to_fen": None, "ratio_bp": 5_000}],
    "cap_per_order_fen": 20_000 * YUAN, "cap_held_fen": 50_000 * YUAN,
    "cap_per_year_fen": 100_000 * YUAN, "voucher_valid_days": 90,
})  # fmt: skip
HUZHOU = rules_parse({
    "tiers": [{"up_to_fen": None, "ratio_bp": 5_000}], "cap_per_year_fen": 10_000 * YUAN,
    "order_kinds": ["service_request"],
})  # fmt: skip
CHANGPING = rules_parse({
    "tiers": [{"up_to_fen": None, "ratio_bp": 5_000}],
    "location_ratio_bp": {"same_county": 5000, "same_city": 4000, "same_province": 3000,
                          "elsewhere": 2000},
    "cap_per_year_fen": 200_000 * YUAN,
})  # fmt: skip


def facts(fee_yuan, *, kind="service_request", provider_region="331083", firm_region="331083",
          **extra):  # fmt: skip
    return OrderFacts(kind=kind, fee_fen=round(fee_yuan * YUAN), provider_id=7,
                      provider_region=provider_region, firm_region=firm_region,
                      programme_region="331083", **extra)  # fmt: skip


def one(rules, order, balance_yuan=1_000_000, used_yuan=0):
    result = split(rules, order, [VoucherFacts(1, round(balance_yuan * YUAN), LATER)],
                   programme_status="published", year_used_fen=round(used_yuan * YUAN), now=NOW)  # fmt: skip
    return result


def steps(line):
    return [s["step"] for s in line.trace]


def test_yuhuan_15000_fee_pays_12500_all_of_the_first_10000_and_half_the_rest():
    result = one(YUHUAN, facts(15_000))
    assert result.voucher_fen == 12_500 * YUAN
    assert result.firm_fen == 2_500 * YUAN
    assert steps(result.lines[0]) == ["tier", "tier", "coverage"]


def test_yuhuan_50000_fee_is_capped_at_20000_per_order():
    result = one(YUHUAN, facts(50_000))  # tiers: 10,000 + 20,000 = 30,000
    assert result.voucher_fen == 20_000 * YUAN
    assert steps(result.lines[0])[-1] == "cap_per_order"


def test_yuhuan_is_limited_by_the_balance():
    result = one(YUHUAN, facts(15_000), balance_yuan=3_000)
    assert result.voucher_fen == 3_000 * YUAN
    assert result.lines[0].trace[-1] == {
        "step": "balance",
        "available_fen": 300_000,
        "amount_fen": 300_000,
    }


def test_yuhuan_yearly_cap_limits_after_95000_used():
    result = one(YUHUAN, facts(15_000), used_yuan=95_000)
    assert result.voucher_fen == 5_000 * YUAN
    assert steps(result.lines[0])[-1] == "cap_per_year"


def test_yuhuan_yearly_cap_reached_refuses_as_exhausted():
    result = one(YUHUAN, facts(15_000), used_yuan=100_000)
    assert result.lines == []
    assert (result.refusals[0].error, result.refusals[0].reason) == (
        "voucher_exhausted",
        "cap_per_year_reached",
    )


def test_huzhou_pays_at_most_half():
    assert one(HUZHOU, facts(8_000)).voucher_fen == 4_000 * YUAN


def test_huzhou_10000_a_year():
    assert one(HUZHOU, facts(30_000), used_yuan=2_000).voucher_fen == 8_000 * YUAN


def test_huzhou_refuses_instrument_time():
    result = one(HUZHOU, facts(1_000, kind="booking"))
    assert result.refusals[0].reason == "wrong_order_kind"
    assert result.refusals[0].error == "voucher_not_applicable"


@pytest.mark.parametrize(
    ("provider_region", "ratio_yuan"),
    [("331083", 5_000), ("331002", 4_000), ("330106", 3_000), ("110114", 2_000)],
)
def test_changping_share_depends_on_where_the_provider_is(provider_region, ratio_yuan):
    result = one(CHANGPING, facts(10_000, provider_region=provider_region))
    assert result.voucher_fen == ratio_yuan * YUAN
    assert result.lines[0].trace[0]["step"] == "location"


def test_changping_200000_a_year():
    assert one(CHANGPING, facts(100_000), used_yuan=190_000).voucher_fen == 10_000 * YUAN


def test_rounds_half_up_once_over_the_tiers():
    rules = rules_parse(
        {"tiers": [{"up_to_fen": 101, "ratio_bp": 5000}, {"up_to_fen": None, "ratio_bp": 5000}]}
    )
    # 101 × 50% = 50.5 and 100 × 50% = 50: rounding each band would give 51 + 50 = 101.
    order = OrderFacts(kind="booking", fee_fen=201, provider_id=1, provider_region="330106",
                       firm_region="330106", programme_region="330000")  # fmt: skip
    amount, _ = coverage(rules, order)
    assert amount == 101  # 100.5 rounded half up once
    order = OrderFacts(kind="booking", fee_fen=203, provider_id=1, provider_region="330106",
                       firm_region="330106", programme_region="330000")  # fmt: skip
    assert coverage(rules, order)[0] == 102  # 101.5 → 102, not 51 + 51 (= 102) by luck: see 201


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        ({"statutory": True}, "statutory_excluded"),
        ({"related_party": True}, "related_party"),
    ],
)
def test_refusals_carry_their_reason(extra, reason):
    assert one(YUHUAN, facts(1_000, **extra)).refusals[0].reason == reason


def test_paused_programme_refuses():
    result = split(YUHUAN, facts(1_000), [VoucherFacts(1, 10**9, LATER)],
                   programme_status="paused", year_used_fen=0, now=NOW)  # fmt: skip
    assert result.refusals[0].reason == "programme_paused"


def test_expired_voucher_is_refused_as_expired():
    result = split(YUHUAN, facts(1_000), [VoucherFacts(1, 10**9, NOW)],
                   programme_status="published", year_used_fen=0, now=NOW)  # fmt: skip
    assert result.refusals[0].error == "voucher_expired"


def test_excluded_category_and_named_providers():
    rules = rules_parse(
        {**HALF, "categories_excluded": ["MED"], "providers": "named", "provider_ids": [7]}
    )
    assert (
        one(rules, facts(1_000, category_path="TEST/MED/X")).refusals[0].reason
        == "category_excluded"
    )
    assert one(rules, facts(1_000, category_path="TEST/CHEM")).voucher_fen == 500 * YUAN
    other = OrderFacts(kind="booking", fee_fen=100, provider_id=8, provider_region="330106",
                       firm_region="330106", programme_region="330000")  # fmt: skip
    assert one(rules, other).refusals[0].reason == "provider_not_eligible"


def test_region_providers_with_outside_province():
    rules = rules_parse({**HALF, "providers": "region", "outside_province": True})
    assert (
        one(rules, facts(100, provider_region="331002")).refusals[0].reason
        == "provider_not_eligible"
    )
    assert one(rules, facts(100, provider_region="110114")).voucher_fen == 50 * YUAN
    assert one(rules, facts(100, provider_region="331083")).voucher_fen == 50 * YUAN


def test_two_vouchers_share_one_allowance():
    result = split(YUHUAN, facts(15_000), [VoucherFacts(1, 10_000 * YUAN, LATER),
                   VoucherFacts(2, 10_000 * YUAN, LATER)], programme_status="published",
                   year_used_fen=0, now=NOW)  # fmt: skip
    assert [ln.amount_fen for ln in result.lines] == [10_000 * YUAN, 2_500 * YUAN]
    assert result.voucher_fen == 12_500 * YUAN


def test_capture_recomputes_for_the_actual_fee_and_never_exceeds_the_hold():
    held = 12_500 * YUAN
    assert capture_split(YUHUAN, facts(6_000), [(1, held)])[0][1] == 6_000 * YUAN
    assert capture_split(YUHUAN, facts(40_000), [(1, held)])[0][1] == held


def test_trace_reads_as_a_sentence():
    line = one(YUHUAN, facts(15_000)).lines[0]
    assert trace_text(line.trace[0]) == "100% of the part from ¥0.00 to ¥10,000.00 (¥10,000.00)"
    assert trace_text(line.trace[1]) == "50% of the part above ¥10,000.00 (¥5,000.00)"


def test_trace_sentences_follow_the_active_language():
    """The sentence templates are translated once per language (a cache): switching the
    language, back and forth, gives each language's sentence, every step kind included."""
    from django.utils import translation

    steps = [{"step": "tier", "from_fen": 0, "to_fen": None, "ratio_bp": 5_000, "portion_fen": 100},
             {"step": "location", "where": "same_city", "ratio_bp": 3_000, "portion_fen": 100},
             {"step": "coverage", "amount_fen": 50}, {"step": "held", "amount_fen": 50},
             {"step": "cap_per_year", "amount_fen": 1, "cap_fen": 2, "used_fen": 1},
             {"step": "tier_open", "amount_fen": 1}, {"step": "unknown_step"}]  # fmt: skip
    english = [trace_text(s) for s in steps]
    with translation.override("zh-hans"):
        chinese = [trace_text(s) for s in steps]
    assert [trace_text(s) for s in steps] == english
    assert english[:3] == ["50% of the part above ¥0.00 (¥1.00)",
                           "30% of the fee: the provider is in the firm's city", "Coverage: ¥0.50"]  # fmt: skip
    assert english[5:] == ["tier_open", "unknown_step"]  # not sentences: the step's name
    assert chinese[5:] == english[5:]
    assert all(c != e for c, e in zip(chinese[:5], english[:5], strict=True))
    with translation.override("zh-hans"):
        assert [trace_text(s) for s in steps] == chinese


@pytest.mark.parametrize(
    "bad",
    [
        {"tiers": []},
        {"tiers": [{"up_to_fen": None, "ratio_bp": 12000}]},
        {"tiers": [{"up_to_fen": None, "ratio_bp": 5000}, {"up_to_fen": 100, "ratio_bp": 5000}]},
        {"tiers": [{"up_to_fen": 200, "ratio_bp": 5000}, {"up_to_fen": 100, "ratio_bp": 5000}]},
        {"cap_per_order_fen": -5},
        {"order_kinds": []},
        {"providers": "named"},
        {"location_ratio_bp": {"same_city": 4000}},
    ],
)
def test_bad_rules_are_refused_with_a_field(bad):
    with pytest.raises(Invalid) as info:
        rules_parse(bad)
    assert info.value.code == "programme_rules_invalid"
    assert info.value.fields
