"""Targets: the plan's two, and those a department sets for its own region.

A department reviewer adds, edits and deletes targets for regions inside its own scope
(a city department: its city and that city's counties), recorded as set by that
department; the plan's targets (no department) are changed only by site administrators.
Outside the reviewer's region a target answers 404.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation, Region, User
from accounts.scoping import Scope, region_prefix
from config.errors import Forbidden, Invalid, NotFound
from tracker.models import Target, UsageKind

PLAN_PERIOD = (dt.date(2018, 1, 1), dt.date(2020, 12, 31))
PLAN_TARGETS = (
    ("三年成长计划：仪器设备开放 5 万台次", UsageKind.USE, 50_000),
    ("三年成长计划：检验检测服务 15 万批次", UsageKind.BATCH, 150_000),
)


def plan_targets_ensure() -> None:
    """The plan's two province targets, as migration 0002 seeds them (for a database
    whose rows were flushed, e.g. by tests)."""
    for name, kind, count in PLAN_TARGETS:
        Target.objects.get_or_create(
            kind=kind,
            region_id="330000",
            starts_on=PLAN_PERIOD[0],
            ends_on=PLAN_PERIOD[1],
            department=None,
            defaults={"name": name, "target_count": count},
        )


def _department_for(scope: Scope, region: Region) -> Organisation:
    """The actor's department whose region covers ``region`` (the narrowest one)."""
    departments = (
        Organisation.objects.filter(pk__in=scope.department_ids)
        .select_related("department")
        .order_by("-department__region_scope_id")
    )
    for org in departments:
        if region.code.startswith(region_prefix(org.department.region_scope_id)):
            return org
    raise NotFound(_("No such region in your scope."), code="region_not_found")


def _checked_values(*, name: str, kind: str, region_code: str, starts_on, ends_on,
                    target_count) -> tuple[Region, dict]:  # fmt: skip
    fields: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        fields["name"] = [_("Give the target a name.")]
    if kind not in UsageKind.values:
        fields["kind"] = [_("Unknown kind.")]
    if not isinstance(target_count, int) or target_count <= 0:
        fields["target_count"] = [_("The target must be a positive whole number.")]
    if not isinstance(starts_on, dt.date) or not isinstance(ends_on, dt.date):
        fields["period"] = [_("Enter the period's start and end dates.")]
    elif ends_on < starts_on:
        fields["ends_on"] = [_("The end of the period is before its start.")]
    region = Region.objects.filter(code=region_code).first()
    if region is None:
        fields["region"] = [_("Choose a region.")]
    if fields:
        raise Invalid(_("Please correct the target."), code="invalid_target", fields=fields)
    values = {"name": name, "kind": kind, "region": region, "starts_on": starts_on,
              "ends_on": ends_on, "target_count": target_count}  # fmt: skip
    return region, values


def target_create(*, actor: User, **values) -> Target:
    """Add a target for a region in the actor's scope (``name, kind, region_code,
    starts_on, ends_on, target_count``). Errors: 400 ``invalid_target`` with field
    errors; 404 ``region_not_found`` outside the actor's region; 403 for non-reviewers."""
    scope = _reviewer(actor)
    region, clean = _checked_values(**values)
    department = (
        None if scope.is_admin and not scope.is_reviewer else _department_for(scope, region)
    )
    with transaction.atomic():
        return Target.objects.create(**clean, department=department, created_by=actor)


def target_update(*, actor: User, target: Target, **values) -> Target:
    """Change a target the actor may manage (same checks as ``target_create``)."""
    scope = _reviewer(actor)
    _require_manageable(scope, target)
    region, clean = _checked_values(**values)
    if not scope.is_admin:
        _department_for(scope, region)
    with transaction.atomic():
        locked = Target.objects.select_for_update().get(pk=target.pk)
        for name, value in clean.items():
            setattr(locked, name, value)
        locked.updated_at = timezone.now()
        locked.save()
    return locked


def target_delete(*, actor: User, target: Target) -> None:
    """Remove a department's target (counts do not depend on targets)."""
    scope = _reviewer(actor)
    _require_manageable(scope, target)
    Target.objects.filter(pk=target.pk).delete()


def target_get(*, actor: User, target_id: int) -> Target:
    """A target in the actor's region, else 404."""
    scope = _reviewer(actor)
    target = Target.objects.select_related("region").filter(pk=target_id).first()
    if target is None or not scope.covers_region(target.region_id):
        raise NotFound(_("No such target."), code="target_not_found")
    return target


def _reviewer(actor: User) -> Scope:
    scope = Scope.for_user(actor)
    if not (scope.is_admin or scope.is_reviewer):
        raise Forbidden(_("Only science department reviewers can manage targets."))
    return scope


def _require_manageable(scope: Scope, target: Target) -> None:
    if not scope.covers_region(target.region_id):
        raise NotFound(_("No such target."), code="target_not_found")
    if scope.is_admin:
        return
    if target.department_id is None or target.department_id not in scope.department_ids:
        raise Forbidden(
            _("This target was set by another department; only it can change it."),
            code="target_not_yours",
        )
