"""Issuing vouchers: under the programme's row lock, so its budget is never over-issued.

Every issue (an approved application, a bulk issue, the demo) goes through
``_issue_locked`` with the Programme row locked (``SELECT … FOR UPDATE``): two reviewers
issuing at once queue on that row and the second sees the first's ``issued_fen``. The
check constraint ``programme_within_budget`` is the last word.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import FirmProfile, Organisation, User
from accounts.scoping import region_prefix
from config.errors import Conflict, Invalid
from vouchers.facts import controller_group_q, local_year_start
from vouchers.ledger import ledger_issue
from vouchers.models import Programme, Voucher
from vouchers.rules import Rules, rules_parse
from vouchers.services.access import programme_for_review


@dataclass(frozen=True)
class IssueProblem:
    code: str
    message: str

    def error(self) -> Invalid | Conflict:
        cls = Conflict if self.code == "over_budget" else Invalid
        return cls(self.message, code=self.code, fields={"amount_fen": [self.message]})


def firm_problem(
    rules: Rules, programme: Programme, profile: FirmProfile | None
) -> IssueProblem | None:
    """Why ``profile``'s firm cannot get vouchers of ``programme``, or None."""
    if profile is None:
        return IssueProblem("firm_unknown", str(_("No firm with this credit code is registered.")))
    if profile.verification != FirmProfile.Verification.VERIFIED:
        return IssueProblem("firm_not_verified", str(_("The firm is not verified yet.")))
    if profile.size_class not in rules.firm_sizes:
        return IssueProblem("firm_not_small_or_micro",
                            str(_("The firm is not of a size this programme serves.")))  # fmt: skip
    if not profile.organisation.region_id.startswith(region_prefix(programme.region_id)):
        return IssueProblem("firm_outside_region",
                            str(_("The firm is not registered in the programme's region.")))  # fmt: skip
    return None


@dataclass
class FirmTotals:
    """What the firm already holds and was issued under the programme (the caps' inputs)."""

    live_fen: int = 0
    issued_this_year_fen: int = 0


def firm_totals(rules: Rules, programme: Programme, firm_id: int, now: dt.datetime) -> FirmTotals:
    vouchers = Voucher.objects.filter(programme=programme)
    live = vouchers.filter(firm_id=firm_id, expires_at__gt=now).aggregate(
        s=Sum(F("available_fen") + F("held_fen"))
    )["s"]
    group = controller_group_q(firm_id) if rules.cap_per_controller else Q(firm_id=firm_id)
    year = vouchers.filter(group, issued_at__gte=local_year_start(now)).aggregate(
        s=Sum("face_fen")
    )["s"]
    return FirmTotals(live or 0, year or 0)


def amount_problem(
    rules: Rules, programme: Programme, totals: FirmTotals, amount_fen: int, budget_used_fen: int
) -> IssueProblem | None:
    """Why ``amount_fen`` more cannot be issued to a firm with ``totals``, or None."""
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int) or amount_fen <= 0:
        return IssueProblem("bad_amount", str(_("The amount must be positive.")))
    if rules.cap_held_fen is not None and totals.live_fen + amount_fen > rules.cap_held_fen:
        return IssueProblem("over_cap_held",
                            str(_("The firm would hold more than this programme's cap at once.")))  # fmt: skip
    if (
        rules.cap_per_year_fen is not None
        and totals.issued_this_year_fen + amount_fen > rules.cap_per_year_fen
    ):
        return IssueProblem("over_cap_per_year",
                            str(_("The firm would get more than this programme's yearly cap.")))  # fmt: skip
    if budget_used_fen + amount_fen > programme.budget_fen:
        return IssueProblem("over_budget", str(_("The programme's budget is not enough.")))
    return None


def lock_programme(programme_id: int) -> Programme:
    return Programme.objects.select_for_update(of=("self",)).get(pk=programme_id)


def require_open(programme: Programme) -> None:
    if programme.status != Programme.Status.PUBLISHED:
        raise Conflict(_("The programme is not open for issuing."), code="programme_not_open")


def voucher_expiry(rules: Rules, programme: Programme, at: dt.datetime) -> dt.datetime:
    """``voucher_valid_days`` from issue, and never past the programme's last day."""
    tz = ZoneInfo(settings.TIME_ZONE)
    last = dt.datetime.combine(programme.valid_to + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    return min(at + dt.timedelta(days=rules.voucher_valid_days), last)


def issue_locked(
    programme: Programme, *, firm: Organisation, amount_fen: int, actor: User | None,
    application=None, note: str = "", at: dt.datetime | None = None,
) -> Voucher:  # fmt: skip
    """Issue one voucher; ``programme`` must be locked by the caller (``lock_programme``).
    Raises the IssueProblem's error (Invalid, or Conflict ``over_budget``)."""
    at = at or timezone.now()
    rules = rules_parse(programme.rules)
    profile = FirmProfile.objects.select_related("organisation").filter(organisation=firm).first()
    problem = firm_problem(rules, programme, profile) or amount_problem(
        rules,
        programme,
        firm_totals(rules, programme, firm.pk, at),
        amount_fen,
        programme.issued_fen,
    )
    if problem:
        raise problem.error()
    Programme.objects.filter(pk=programme.pk).update(issued_fen=F("issued_fen") + amount_fen)
    programme.issued_fen += amount_fen
    voucher = Voucher.objects.create(
        firm=firm, programme=programme, application=application, code=_new_code(programme, at),
        face_fen=amount_fen, available_fen=amount_fen, issued_at=at,
        expires_at=voucher_expiry(rules, programme, at),
    )  # fmt: skip
    ledger_issue(voucher, actor_id=actor.pk if actor else None,
                 version_id=programme.current_version_id, note=note)  # fmt: skip
    return voucher


def _new_code(programme: Programme, at: dt.datetime) -> str:
    prefix = "CX" if programme.kind == Programme.Kind.INNOVATION else "FW"
    return f"{prefix}{at.year}-{programme.pk:04d}-{secrets.token_hex(4).upper()}"


def voucher_issue(
    *, actor: User, programme_id: int, firm_id: int, amount_fen: int, note: str = ""
) -> Voucher:
    """Issue one voucher by hand (a reviewer of the issuer). Errors: NotFound, Forbidden,
    Conflict ``programme_not_open`` / ``over_budget``, Invalid (``firm_*``, ``over_cap_*``)."""
    with transaction.atomic():
        programme = programme_for_review(actor, programme_id, lock=True)
        require_open(programme)
        firm = Organisation.objects.filter(pk=firm_id, kind=Organisation.Kind.FIRM).first()
        if firm is None:
            raise Invalid(_("No such firm."), code="firm_unknown")
        return issue_locked(programme, firm=firm, amount_fen=amount_fen, actor=actor, note=note)
