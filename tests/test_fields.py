"""Integers in API input: ASCII digits within a bigint, nothing DRF would let through to a
database error."""

import pytest
from rest_framework.exceptions import ValidationError

from config.fields import BIGINT_MAX, IdField, StrictIntegerField


@pytest.mark.parametrize("value", ["1.5", 1.5, 1.0, "１２", True, "1e3", "", [1], 2**63, "9" * 30])
def test_refused(value):
    with pytest.raises(ValidationError):
        StrictIntegerField().run_validation(value)


@pytest.mark.parametrize(("value", "expected"), [("12", 12), (12, 12), (" 7 ", 7),
                                                 (BIGINT_MAX, BIGINT_MAX), ("-3", -3)])  # fmt: skip
def test_accepted(value, expected):
    assert StrictIntegerField().run_validation(value) == expected


def test_ids_are_positive():
    with pytest.raises(ValidationError):
        IdField().run_validation(0)
    assert IdField().run_validation("5") == 5
