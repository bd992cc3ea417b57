"""Who may run a programme: a reviewer of its issuing department (or a site admin)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.models import DepartmentProfile, User
from accounts.scoping import Scope, region_prefix
from config.errors import Forbidden, Invalid, NotFound
from vouchers.models import Programme


def require_issuer(actor: User, issuer_id: int) -> Scope:
    scope = Scope.for_user(actor)
    if not (scope.is_admin or issuer_id in scope.department_ids):
        raise Forbidden(_("Only reviewers of the issuing department may do this."))
    return scope


def programme_for_review(actor: User, programme_id: int, *, lock: bool = False) -> Programme:
    """The programme, if the actor reviews for its issuer; NotFound otherwise (a firm must
    not learn of another department's drafts)."""
    scope = Scope.for_user(actor)
    qs = Programme.objects.all()
    if lock:
        qs = qs.select_for_update(of=("self",))
    programme = qs.filter(pk=programme_id).first()
    if programme is None or not (scope.is_admin or programme.issuer_id in scope.department_ids):
        raise NotFound(_("Programme not found."), code="programme_not_found")
    return programme


def check_region_in_issuer_scope(issuer_id: int, region_code: str) -> None:
    """A city bureau runs programmes for its city only; the province for all of it."""
    profile = DepartmentProfile.objects.filter(organisation_id=issuer_id).first()
    if profile is None:
        raise Invalid(_("The issuer must be a science department."), code="issuer_not_department")
    if not region_code.startswith(region_prefix(profile.region_scope_id)):
        message = _("A department can run programmes only for its own region.")
        raise Invalid(message, code="region_outside_scope", fields={"region": [str(message)]})
