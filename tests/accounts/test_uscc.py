import pytest

from accounts.uscc import check_character, validate_uscc
from config.errors import Invalid

PUBLIC_EXAMPLES = [
    "91330100799655058B",
    "9144030071526726XG",
    "91110108551385082Q",
    "91110000101623741K",
]


@pytest.mark.parametrize("code", PUBLIC_EXAMPLES)
def test_public_examples_pass_the_check(code):
    assert validate_uscc(code) == code
    assert check_character(code[:17]) == code[17]


def test_lowercase_and_spaces_are_normalised():
    assert validate_uscc(" 91330100799655058b ") == "91330100799655058B"


def test_wrong_check_character_is_refused_naming_the_right_one():
    with pytest.raises(Invalid) as err:
        validate_uscc("91330100799655058C")
    assert err.value.code == "uscc_check_character"
    assert "B" in str(err.value.message)


def test_administrator_may_override_a_failing_check_character():
    assert validate_uscc("91330100799655058C", allow_bad_check=True) == "91330100799655058C"


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("9133010079965505", "uscc_length"),
        ("91330100799655058I", "uscc_charset"),
        ("91AB0100799655058B", "uscc_division"),
    ],
)
def test_malformed_codes_are_refused(code, error):
    with pytest.raises(Invalid) as err:
        validate_uscc(code)
    assert err.value.code == error
