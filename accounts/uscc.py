"""Unified Social Credit Code (统一社会信用代码), GB 32100-2015."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from config.errors import Invalid

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def check_character(first17: str) -> str:
    total = sum(CHARSET.index(ch) * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def normalise(code: str) -> str:
    return (code or "").strip().upper()


def validate_uscc(code: str, *, allow_bad_check: bool = False) -> str:
    """Return the normalised code or raise ``Invalid`` saying what is wrong.

    ``allow_bad_check`` lets an administrator accept a real code that fails the
    check character (a few are known); every other rule still applies.
    """
    code = normalise(code)
    if len(code) != 18:
        raise Invalid(
            _("A unified social credit code has 18 characters; this one has %(n)d.")
            % {"n": len(code)},
            code="uscc_length",
            fields={"uscc": [_("Must be 18 characters.")]},
        )
    bad = sorted({ch for ch in code if ch not in CHARSET})
    if bad:
        raise Invalid(
            _(
                "The code contains characters that are not allowed: %(chars)s (I, O, S, V and Z are never used)."
            )
            % {"chars": " ".join(bad)},
            code="uscc_charset",
            fields={"uscc": [_("Characters not allowed.")]},
        )
    if not code[2:8].isdigit():
        raise Invalid(
            _("Characters 3 to 8 must be the registrar's six-digit division code."),
            code="uscc_division",
            fields={"uscc": [_("Characters 3 to 8 must be digits.")]},
        )
    expected = check_character(code[:17])
    if code[17] != expected and not allow_bad_check:
        raise Invalid(
            _(
                "The check character (the 18th) is wrong: for this code it should be %(expected)s, "
                "not %(given)s. Please check the code on the business licence."
            )
            % {"expected": expected, "given": code[17]},
            code="uscc_check_character",
            fields={"uscc": [_("The check character is wrong.")]},
        )
    return code


def is_zhejiang(code: str) -> bool:
    """Soft check only: firms registered elsewhere may still use the platform."""
    return normalise(code)[2:4] == "33"
