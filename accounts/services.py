"""Writes for accounts: firm registration and verification, API tokens, the user's profile.

Each service is keyword-only, takes the acting user as ``actor``, owns its transaction
and raises ``config.errors`` domain errors with stable codes.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import selectors
from accounts.authentication import forget_token, token_digest
from accounts.firm_size import SizeVerdict, classify
from accounts.models import (
    ApiToken,
    FirmProfile,
    IndustrySizeRule,
    Membership,
    Organisation,
    Region,
    User,
)
from accounts.scoping import Scope
from accounts.uscc import check_character, validate_uscc
from accounts.verification import verification_move, verification_record_registration
from config.errors import Conflict, Invalid, InvalidTransition, NotFound

MAX_ACTIVE_TOKENS = 20


def may_override_uscc(actor: User) -> bool:
    """Only site administrators may accept a code whose check character fails (GB 32100 has
    known real exceptions); everyone else gets the plain check."""
    return bool(actor.is_superuser or actor.has_perm("accounts.change_firmprofile"))


def firm_uscc_check(*, actor: User, uscc: str, override_reason: str = "") -> tuple[str, str]:
    """Validate a code; return ``(code, reason on record)``. The reason is kept only when an
    administrator actually overrode a failing check character."""
    override_reason = (override_reason or "").strip()
    allow = bool(override_reason) and may_override_uscc(actor)
    code = validate_uscc(uscc, allow_bad_check=allow)
    overridden = allow and code[17] != check_character(code[:17])
    return code, override_reason if overridden else ""


def firm_classify(*, industry_code: str, employees: int, revenue_fen: int) -> SizeVerdict:
    """The size verdict, refusing a firm that is neither small nor micro with the reason."""
    rule = IndustrySizeRule.objects.filter(code=industry_code).first()
    if rule is None:
        raise Invalid(
            _("Choose an industry from the list."),
            code="unknown_industry",
            fields={"industry_code": [_("Unknown industry.")]},
        )
    if employees is None or employees < 0:
        raise Invalid(
            _("The number of employees cannot be negative."),
            code="invalid_employees",
            fields={"employees": [_("Enter a number of 0 or more.")]},
        )
    if revenue_fen is None or revenue_fen < 0:
        raise Invalid(
            _("Annual revenue cannot be negative."),
            code="invalid_revenue",
            fields={"revenue_fen": [_("Enter an amount of 0 or more.")]},
        )
    verdict = classify(rule, employees=employees, revenue_fen=revenue_fen)
    if not verdict.eligible:
        raise Invalid(
            verdict.reason,
            code="firm_not_small_or_micro",
            fields={
                "employees": [_("Above the small-firm line.")],
                "revenue_fen": [_("Above the small-firm line.")],
            },
        )
    return verdict


def _firm_region(region_code: str) -> Region:
    region = Region.objects.filter(code=region_code).exclude(level=Region.Level.PROVINCE).first()
    if region is None:
        raise Invalid(
            _("Choose the city or county where the firm is registered."),
            code="unknown_region",
            fields={"region_code": [_("Unknown city or county.")]},
        )
    return region


def _uscc_taken() -> Conflict:
    return Conflict(
        _("A firm with this unified social credit code is already registered on LabShare."),
        code="uscc_already_registered",
        fields={"uscc": [_("Already registered.")]},
    )


@dataclass(frozen=True)
class FirmRegistration:
    firm: FirmProfile
    verdict: SizeVerdict


@dataclass(frozen=True)
class _CheckedRegistration:
    """A registration form's facts, validated: what goes on the Organisation and FirmProfile."""

    name: str
    region: Region
    profile: dict
    verdict: SizeVerdict


def _registration_checked(
    *,
    actor: User,
    name: str,
    uscc: str,
    region_code: str,
    industry_code: str,
    employees: int,
    revenue_fen: int,
    legal_representative: str = "",
    actual_controller: str = "",
    override_reason: str = "",
) -> _CheckedRegistration:
    """The checks a registration and a corrected resubmission share (Invalid on a bad field)."""
    name = (name or "").strip()
    if not name:
        raise Invalid(
            _("Enter the firm's registered name."),
            code="name_required",
            fields={"name": [_("This field is required.")]},
        )
    code, reason = firm_uscc_check(actor=actor, uscc=uscc, override_reason=override_reason)
    region = _firm_region(region_code)
    verdict = firm_classify(
        industry_code=industry_code, employees=employees, revenue_fen=revenue_fen
    )
    profile = {
        "uscc": code,
        "uscc_override_reason": reason,
        "industry_id": industry_code,
        "employees": employees,
        "revenue_fen": revenue_fen,
        "size_class": verdict.size,
        "size_reason": verdict.reason[:300],
        "legal_representative": (legal_representative or "").strip()[:50],
        "actual_controller": (actual_controller or "").strip()[:100],
    }
    return _CheckedRegistration(name=name[:200], region=region, profile=profile, verdict=verdict)


def firm_register(
    *,
    actor: User,
    name: str,
    uscc: str,
    region_code: str,
    industry_code: str,
    employees: int,
    revenue_fen: int,
    legal_representative: str = "",
    actual_controller: str = "",
    override_reason: str = "",
) -> FirmRegistration:
    """Register a small or micro firm with ``actor`` as its administrator, pending verification.

    Raises Invalid (bad code: ``uscc_*``; ``firm_not_small_or_micro`` with the rule that
    decided; unknown region/industry) or Conflict ``uscc_already_registered``.
    Creates Organisation + FirmProfile + Membership in one transaction.
    """
    checked = _registration_checked(
        actor=actor, name=name, uscc=uscc, region_code=region_code,
        industry_code=industry_code, employees=employees, revenue_fen=revenue_fen,
        legal_representative=legal_representative, actual_controller=actual_controller,
        override_reason=override_reason,
    )  # fmt: skip
    if FirmProfile.objects.filter(uscc=checked.profile["uscc"]).exists():
        raise _uscc_taken()
    try:
        with transaction.atomic():
            org = Organisation.objects.create(
                kind=Organisation.Kind.FIRM, name=checked.name, region=checked.region
            )
            firm = FirmProfile.objects.create(organisation=org, **checked.profile)
            verification_record_registration(firm, actor=actor)
            Membership.objects.create(
                user=actor, organisation=org, role=Membership.Role.FIRM_MEMBER, is_admin=True
            )
    except IntegrityError as exc:
        # Two people registering the same code at once: the unique constraint decides.
        raise _uscc_taken() from exc
    actor.__dict__.pop("_labshare_scope", None)
    return FirmRegistration(firm=firm, verdict=checked.verdict)


def firm_resubmit(*, actor: User, firm_id: int, note: str = "", **registration) -> FirmRegistration:
    """A rejected firm's administrator corrects the registration (``registration``: the
    keyword arguments of ``firm_register``) and sends it back for verification, saying
    what was corrected in ``note`` if they like: the same checks; the firm is pending
    again. The reviewer's decision stays in the firm's verification history
    (``accounts.verification``); the profile's decision fields are emptied for the next.

    Raises NotFound (not an administrator of this firm), InvalidTransition
    ``firm_not_rejected``, the Invalid errors of ``firm_register``, or Conflict
    ``uscc_already_registered`` (another firm holds the code).
    """
    if not selectors.firm_is_administered_by(actor=actor, firm_id=firm_id):
        raise NotFound(_("Firm not found."), code="firm_not_found")
    checked = _registration_checked(actor=actor, **registration)
    code = checked.profile["uscc"]
    if FirmProfile.objects.filter(uscc=code).exclude(pk=firm_id).exists():
        raise _uscc_taken()
    try:
        with transaction.atomic():
            firm = FirmProfile.objects.select_for_update().get(pk=firm_id)
            if firm.verification != FirmProfile.Verification.REJECTED:
                raise InvalidTransition(
                    _("Only a rejected registration can be corrected and sent again."),
                    code="firm_not_rejected",
                )
            Organisation.objects.filter(pk=firm_id).update(name=checked.name, region=checked.region)
            verification_move(
                firm,
                to=FirmProfile.Verification.PENDING,
                actor=actor,
                reason=(note or "").strip()[:2000],
                **checked.profile,
            )
    except IntegrityError as exc:
        raise _uscc_taken() from exc
    firm = FirmProfile.objects.select_related("organisation__region", "industry").get(pk=firm_id)
    return FirmRegistration(firm=firm, verdict=checked.verdict)


def _firm_for_review(*, actor: User, firm_id: int) -> FirmProfile:
    """The firm, if ``actor`` reviews its region; otherwise NotFound (never 403)."""
    scope = Scope.for_user(actor)
    if not (scope.is_reviewer or scope.is_admin):
        raise NotFound()
    firm = (
        FirmProfile.objects.select_for_update()
        .select_related("organisation")
        .filter(pk=firm_id)
        .first()
    )
    if firm is None or not scope.covers_region(firm.organisation.region_id):
        raise NotFound()
    return firm


def _firm_decide(*, actor: User, firm_id: int, outcome: str, note: str) -> FirmProfile:
    with transaction.atomic():
        # The firm row is locked first: a second reviewer deciding at the same time waits,
        # then finds the firm decided. verification_move's compare-and-set backs it up.
        firm = _firm_for_review(actor=actor, firm_id=firm_id)
        if firm.verification != FirmProfile.Verification.PENDING:
            raise InvalidTransition(
                _("This firm has already been decided (%(state)s).")
                % {"state": firm.get_verification_display()},
                code="firm_already_decided",
            )
        verification_move(firm, to=outcome, actor=actor, reason=note)
        firm.refresh_from_db()
    return firm


def firm_verify(*, actor: User, firm_id: int, note: str = "") -> FirmProfile:
    """A reviewer whose region covers the firm confirms it; records who, when and the note."""
    return _firm_decide(
        actor=actor,
        firm_id=firm_id,
        outcome=FirmProfile.Verification.VERIFIED,
        note=(note or "").strip(),
    )


def firm_reject(*, actor: User, firm_id: int, note: str) -> FirmProfile:
    """A reviewer refuses the firm; the note tells the firm why and is required."""
    note = (note or "").strip()
    if not note:
        raise Invalid(
            _("Say why the firm is rejected; the firm will see this note."),
            code="note_required",
            fields={"note": [_("This field is required.")]},
        )
    return _firm_decide(
        actor=actor, firm_id=firm_id, outcome=FirmProfile.Verification.REJECTED, note=note
    )


def api_token_create(*, actor: User, name: str) -> tuple[ApiToken, str]:
    """A new token for ``actor``; returns it with the raw key, which is never stored or
    shown again (only its SHA-256 digest is kept)."""
    name = (name or "").strip()[:100]
    if not name:
        raise Invalid(
            _("Give the token a name so you can recognise it later."),
            code="name_required",
            fields={"name": [_("This field is required.")]},
        )
    active = ApiToken.objects.filter(user=actor, revoked_at__isnull=True).count()
    if active >= MAX_ACTIVE_TOKENS:
        raise Conflict(
            _("You already have %(n)d active tokens; revoke one first.") % {"n": active},
            code="too_many_tokens",
        )
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=actor, name=name, prefix=key[:8], digest=token_digest(key))
    return token, key


def api_token_revoke(*, actor: User, token_id: int) -> ApiToken:
    """Revoke one of ``actor``'s tokens (someone else's: NotFound). Revoking twice is fine."""
    token = ApiToken.objects.filter(pk=token_id, user=actor).first()
    if token is None:
        raise NotFound()
    if token.revoked_at is None:
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        token.refresh_from_db()
    # The authentication cache must not outlive the revocation: dropped now, and again after
    # commit in case a concurrent request re-cached the row as it was before.
    digest = token.digest
    forget_token(digest)
    transaction.on_commit(lambda: forget_token(digest))
    return token


LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


def user_profile_update(
    *,
    actor: User,
    full_name: str | None = None,
    phone: str | None = None,
    language: str | None = None,
    badge_number: str | None = None,
) -> User:
    """Change the actor's own name, phone, language preference and badge number (read by
    instrument kiosks; "" removes it); None leaves a field. Errors: Invalid
    ``unknown_language``, ``badge_invalid``; Conflict ``badge_taken``."""
    if language is not None and language not in LANGUAGE_CODES:
        raise Invalid(
            _("Choose one of the offered languages."),
            code="unknown_language",
            fields={"language": [_("Unknown language.")]},
        )
    changes = {
        "full_name": None if full_name is None else full_name.strip()[:100],
        "phone": None if phone is None else phone.strip()[:30],
        "language": language,
    }
    fields = [name for name, value in changes.items() if value is not None]
    for name in fields:
        setattr(actor, name, changes[name])
    if badge_number is not None:
        actor.badge_number = _badge(badge_number)
        fields.append("badge_number")
    if fields:
        try:
            with transaction.atomic():
                actor.save(update_fields=fields)
        except IntegrityError as exc:
            # The unique constraint decides between two people typing one number at once.
            raise Conflict(
                _("This badge number belongs to someone else."),
                code="badge_taken",
                fields={"badge_number": [_("This badge number belongs to someone else.")]},
            ) from exc
    return actor


def _badge(value: str) -> str | None:
    value = value.strip()
    if not value:
        return None
    if len(value) > 32 or not value.isascii() or not value.replace("-", "").isalnum():
        raise Invalid(
            _("A badge number has up to 32 letters, digits or dashes."),
            code="badge_invalid",
            fields={"badge_number": [_("A badge number has up to 32 letters, digits or dashes.")]},
        )
    return value
