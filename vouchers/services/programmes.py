"""Creating and running voucher programmes: draft → published ⇄ paused → closed.

A draft's rules change in place; a published (or paused) programme's rules change only by
a new ``ProgrammeVersion``: holds keep the version that priced them. Status moves go
through ``_move`` (a compare-and-set on the old status, with a ProgrammeChange row).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Region, User
from config.errors import Invalid, InvalidTransition
from vouchers.models import Programme, ProgrammeChange, ProgrammeVersion
from vouchers.rules import rules_dump, rules_parse
from vouchers.services.access import (
    check_region_in_issuer_scope,
    programme_for_review,
    require_issuer,
)

P = Programme.Status
MOVES: dict[str, frozenset[str]] = {
    P.DRAFT: frozenset({P.PUBLISHED, P.CLOSED}),
    P.PUBLISHED: frozenset({P.PAUSED, P.CLOSED}),
    P.PAUSED: frozenset({P.PUBLISHED, P.CLOSED}),
}
EDITABLE = ("name", "description", "valid_from", "valid_to", "applications_open_on",
            "applications_close_on", "budget_fen", "flag_near_cap_pct", "flag_many_orders",
            "flag_short_session_pct")  # fmt: skip
# The red-flag thresholds of the programme's claims (vouchers/flags.py): inclusive bounds,
# as the check constraint ``programme_flag_thresholds_claims_s6`` holds them.
FLAG_BOUNDS = {"flag_near_cap_pct": (50, 99), "flag_many_orders": (2, 10_000),
               "flag_short_session_pct": (1, 99)}  # fmt: skip
FLAG_DEFAULTS = {"flag_near_cap_pct": 90, "flag_many_orders": 10, "flag_short_session_pct": 50}


def _invalid(field: str, message) -> Invalid:
    return Invalid(message, code=f"programme_{field}_invalid", fields={field: [str(message)]})


def _check_fields(values: dict[str, Any], issued_fen: int = 0) -> None:
    if not (values.get("name") or "").strip():
        raise _invalid("name", _("Give the programme a name."))
    budget = values.get("budget_fen")
    if isinstance(budget, bool) or not isinstance(budget, int) or budget <= 0:
        raise _invalid("budget_fen", _("The budget must be a positive amount."))
    if budget < issued_fen:
        raise _invalid("budget_fen", _("The budget cannot be less than what is already issued."))
    start, end = values.get("valid_from"), values.get("valid_to")
    if not isinstance(start, dt.date) or not isinstance(end, dt.date) or end < start:
        raise _invalid("valid_to", _("The validity must end on or after its start."))
    for name, (low, high) in FLAG_BOUNDS.items():
        value = values.get(name, FLAG_DEFAULTS[name])
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise _invalid(name, _("Give a whole number from %(low)d to %(high)d.")
                           % {"low": low, "high": high})  # fmt: skip
    opens, closes = values.get("applications_open_on"), values.get("applications_close_on")
    if opens and closes and closes < opens:
        raise _invalid("applications_close_on", _("Applications must close after they open."))


def programme_create(
    *,
    actor: User,
    issuer_id: int,
    region_code: str,
    kind: str,
    name: str,
    budget_fen: int,
    valid_from: dt.date,
    valid_to: dt.date,
    rules: dict[str, Any],
    description: str = "",
    applications_open_on: dt.date | None = None,
    applications_close_on: dt.date | None = None,
    flag_near_cap_pct: int = FLAG_DEFAULTS["flag_near_cap_pct"],
    flag_many_orders: int = FLAG_DEFAULTS["flag_many_orders"],
    flag_short_session_pct: int = FLAG_DEFAULTS["flag_short_session_pct"],
) -> Programme:
    """A draft programme of ``issuer_id`` for ``region_code``; the ``flag_*`` thresholds
    say when its claims' lines get red flags (``FLAG_BOUNDS``).

    Errors: Forbidden (not a reviewer of the issuer), Invalid (``region_outside_scope``,
    ``programme_*_invalid``, ``programme_rules_invalid`` with per-field messages)."""
    require_issuer(actor, issuer_id)
    if kind not in Programme.Kind.values:
        raise _invalid("kind", _("Choose innovation or service vouchers."))
    if not Region.objects.filter(code=region_code).exists():
        raise _invalid("region", _("Unknown region."))
    check_region_in_issuer_scope(issuer_id, region_code)
    values = {"name": (name or "").strip(), "description": description or "",
              "budget_fen": budget_fen, "valid_from": valid_from, "valid_to": valid_to,
              "applications_open_on": applications_open_on,
              "applications_close_on": applications_close_on,
              "flag_near_cap_pct": flag_near_cap_pct, "flag_many_orders": flag_many_orders,
              "flag_short_session_pct": flag_short_session_pct}  # fmt: skip
    _check_fields(values)
    parsed = rules_parse(rules)
    now = timezone.now()
    with transaction.atomic():
        programme = Programme.objects.create(
            issuer_id=issuer_id, region_id=region_code, kind=kind, rules=rules_dump(parsed),
            created_by=actor, created_at=now, updated_at=now, **values,
        )  # fmt: skip
        ProgrammeChange.objects.create(programme=programme, to_status=P.DRAFT, actor=actor, at=now)
    return programme


def programme_update(
    *, actor: User, programme_id: int, rules: dict[str, Any] | None = None, note: str = "",
    **changes: Any,
) -> Programme:  # fmt: skip
    """Change a programme's fields (``EDITABLE``) and/or rules. A draft changes in place;
    a published or paused one gets a new version when its rules change (``note`` says
    why). Errors: NotFound, InvalidTransition ``programme_closed``, Invalid as on create."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise Invalid(
            _("These fields cannot be changed."),
            code="programme_field_unknown",
            fields={k: [str(_("These fields cannot be changed."))] for k in unknown},
        )
    with transaction.atomic():
        programme = programme_for_review(actor, programme_id, lock=True)
        if programme.status == P.CLOSED:
            raise InvalidTransition(_("A closed programme cannot change."), code="programme_closed")
        values = {name: getattr(programme, name) for name in EDITABLE}
        values.update(changes)
        if "name" in changes:
            values["name"] = (values["name"] or "").strip()
        _check_fields(values, programme.issued_fen)
        for name, value in values.items():
            setattr(programme, name, value)
        if rules is not None:
            new_rules = rules_dump(rules_parse(rules))
            if new_rules != programme.rules:
                programme.rules = new_rules
                if programme.status != P.DRAFT:
                    _new_version(programme, actor=actor, note=note)
        programme.updated_at = timezone.now()
        programme.save()
    return programme


def _new_version(programme: Programme, *, actor: User, note: str = "") -> ProgrammeVersion:
    programme.version += 1
    version = ProgrammeVersion.objects.create(
        programme=programme, number=programme.version, rules=programme.rules,
        created_by=actor, note=note,
    )  # fmt: skip
    programme.current_version = version
    return version


def _move(actor: User, programme_id: int, to: str, reason: str = "") -> Programme:
    with transaction.atomic():
        programme = programme_for_review(actor, programme_id, lock=True)
        from_status = programme.status
        if to not in MOVES.get(from_status, frozenset()):
            raise InvalidTransition(
                _("Cannot change from “%(from)s” to “%(to)s”.")
                % {"from": P(from_status).label, "to": P(to).label},
                data={"status": from_status},
            )
        now = timezone.now()
        programme.status = to
        programme.updated_at = now
        if from_status == P.DRAFT and to == P.PUBLISHED:
            _new_version(programme, actor=actor, note=str(_("Published")))
        programme.save(update_fields=["status", "updated_at", "version", "current_version"])
        ProgrammeChange.objects.create(
            programme=programme, from_status=from_status, to_status=to, actor=actor,
            reason=reason, at=now,
        )  # fmt: skip
    return programme


def programme_publish(*, actor: User, programme_id: int, reason: str = "") -> Programme:
    """Open a draft (its rules become version 1) or resume a paused programme."""
    return _move(actor, programme_id, P.PUBLISHED, reason)


def programme_pause(*, actor: User, programme_id: int, reason: str = "") -> Programme:
    """Stop new applications, issues and holds; held money still follows its orders."""
    return _move(actor, programme_id, P.PAUSED, reason)


def programme_close(*, actor: User, programme_id: int, reason: str = "") -> Programme:
    """Close for good; held money still follows its orders, balances expire as usual."""
    return _move(actor, programme_id, P.CLOSED, reason)
