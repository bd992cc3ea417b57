"""The money helpers: fen in, fen out, one half-up rounding, minutes as actually used."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from booking.services.booking_rules import charge_fen, used_minutes
from config.money import apply_ratio, format_fen, round_fen, yuan_to_fen

START = dt.datetime(2026, 12, 1, 1, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("amount", "fen"),
    [
        (Decimal("0.5"), 1),
        (Decimal("1.5"), 2),  # half up, not to even
        (Decimal("2.5"), 3),
        (Decimal("2.4999"), 2),
        (Decimal("-0.5"), -1),  # half away from zero
        (0, 0),
        (12345, 12345),
        (0.1 + 0.2, 0),  # floats go through their decimal text, not their binary value
    ],
)
def test_round_fen_rounds_half_up_to_a_whole_fen(amount, fen):
    assert round_fen(amount) == fen


def test_a_third_of_an_hour_rounds_once_not_per_minute():
    # ¥200/h for 20 minutes = 6666.67 fen -> 6667; rounding each minute first would give 6660.
    assert charge_fen(20, 20000) == 6667


@pytest.mark.parametrize(
    ("minutes", "rate", "fen"),
    [
        (60, 20000, 20000),
        (90, 20000, 30000),
        (1, 20000, 333),  # 333.33
        (1, 100, 2),  # 1.67
        (3, 10, 1),  # 0.5 -> 1
        (0, 20000, 0),
        (45, 0, 0),
    ],
)
def test_charge_fen_is_minutes_at_the_hourly_rate(minutes, rate, fen):
    assert charge_fen(minutes, rate) == fen


@given(
    minutes=st.integers(min_value=0, max_value=60 * 24 * 31),
    rate=st.integers(min_value=0, max_value=10_000_000),
)
def test_charge_fen_is_within_half_a_fen_of_the_exact_fee(minutes, rate):
    exact = Decimal(rate) * minutes / 60
    assert abs(charge_fen(minutes, rate) - exact) <= Decimal("0.5")


@given(
    minutes=st.integers(min_value=0, max_value=60 * 24),
    more=st.integers(min_value=0, max_value=600),
    rate=st.integers(min_value=0, max_value=1_000_000),
)
def test_more_minutes_never_cost_less(minutes, more, rate):
    assert charge_fen(minutes + more, rate) >= charge_fen(minutes, rate)


@pytest.mark.parametrize(
    ("length", "minutes"),
    [
        (dt.timedelta(hours=1), 60),
        (dt.timedelta(minutes=59, seconds=1), 60),  # a partial minute counts whole
        (dt.timedelta(seconds=1), 1),
        (dt.timedelta(minutes=37), 37),  # slots are not rounded up
        (dt.timedelta(0), 0),
        (dt.timedelta(minutes=-5), 0),  # an end before the start uses nothing
    ],
)
def test_used_minutes_counts_started_minutes(length, minutes):
    assert used_minutes(START, START + length) == minutes


def test_used_minutes_ignores_the_time_zone_it_is_read_in():
    shanghai = dt.timezone(dt.timedelta(hours=8))
    end = (START + dt.timedelta(minutes=90)).astimezone(shanghai)
    assert used_minutes(START, end) == 90


@pytest.mark.parametrize(
    ("amount_fen", "ratio", "fen"),
    [
        (10000, Decimal("0.5"), 5000),
        (333, Decimal("0.5"), 167),  # 166.5 -> 167
        (12345, Decimal("1"), 12345),
        (12345, Decimal("0"), 0),
    ],
)
def test_apply_ratio_rounds_the_share_half_up(amount_fen, ratio, fen):
    assert apply_ratio(amount_fen, ratio) == fen


@pytest.mark.parametrize(
    ("fen", "text"),
    [(0, "¥0.00"), (5, "¥0.05"), (123456, "¥1,234.56"), (-250, "-¥2.50"), (None, "")],
)
def test_format_fen_shows_yuan_with_two_decimals(fen, text):
    assert format_fen(fen) == text


@pytest.mark.parametrize(
    ("typed", "fen"),
    [("1,234.5", 123450), ("¥ 12.345", 1235), ("0.004", 0), (7, 700), (Decimal("0.01"), 1)],
)
def test_yuan_to_fen_reads_what_people_type(typed, fen):
    assert yuan_to_fen(typed) == fen


@pytest.mark.parametrize("typed", ["", "abc", "NaN", "Infinity", "1.2.3"])
def test_yuan_to_fen_refuses_what_is_not_money(typed):
    with pytest.raises(ValueError):
        yuan_to_fen(typed)


@given(fen=st.integers(min_value=-(10**12), max_value=10**12))
def test_format_then_parse_gives_the_same_fen(fen):
    assert yuan_to_fen(format_fen(fen).replace("-¥", "-")) == fen
