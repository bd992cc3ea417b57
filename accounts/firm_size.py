"""Small or micro, by 工信部联企业〔2011〕300号, from the rules kept as data."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from accounts.models import FirmProfile, IndustrySizeRule
from config.money import format_fen


@dataclass(frozen=True)
class SizeVerdict:
    size: str | None  # FirmProfile.Size value, or None when neither small nor micro
    reason: str

    @property
    def eligible(self) -> bool:
        return self.size is not None


def classify(rule: IndustrySizeRule, *, employees: int, revenue_fen: int) -> SizeVerdict:
    """Micro if either figure is below the small line; small if both reach it and the firm
    is not medium (both figures at or above the medium line)."""
    ctx = {
        "industry": str(rule),
        "employees": employees,
        "revenue": format_fen(revenue_fen),
        "min_emp": rule.small_min_employees,
        "min_rev": format_fen(rule.small_min_revenue_fen),
        "med_emp": rule.medium_min_employees,
        "med_rev": format_fen(rule.medium_min_revenue_fen),
    }
    if employees < rule.small_min_employees or revenue_fen < rule.small_min_revenue_fen:
        return SizeVerdict(
            FirmProfile.Size.MICRO,
            _(
                "Micro: in %(industry)s a firm with fewer than %(min_emp)s employees or revenue "
                "below %(min_rev)s is micro (this firm: %(employees)s employees, %(revenue)s)."
            )
            % ctx,
        )
    if employees >= rule.medium_min_employees and revenue_fen >= rule.medium_min_revenue_fen:
        return SizeVerdict(
            None,
            _(
                "Not a small or micro firm: in %(industry)s a firm with at least %(med_emp)s "
                "employees and revenue of %(med_rev)s or more is medium or large (this firm: "
                "%(employees)s employees, %(revenue)s), so it cannot register as a small firm."
            )
            % ctx,
        )
    return SizeVerdict(
        FirmProfile.Size.SMALL,
        _(
            "Small: in %(industry)s a firm with at least %(min_emp)s employees and revenue of "
            "%(min_rev)s or more, below the medium line of %(med_emp)s employees and %(med_rev)s, "
            "is small (this firm: %(employees)s employees, %(revenue)s)."
        )
        % ctx,
    )
