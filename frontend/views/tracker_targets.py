"""Targets of the reviewer's region: the list with progress, add, edit, delete.

Thin: reads through tracker.selectors.progress, writes through tracker.services.targets
(which decide who may change what: 404 outside the region, 403 for another
department's target or the plan's own).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Region
from accounts.scoping import Scope
from config.errors import DomainError, Forbidden, NotFound
from frontend.forms.tracker import TargetForm, add_target_error
from frontend.views.tracker_dashboard import STATUS_COLOURS, STATUS_LABELS
from tracker.selectors.filters import prefix_q, today, tracker_access
from tracker.selectors.progress import target_progress_list
from tracker.services import targets as services


def _reader(request) -> Scope:
    try:
        return tracker_access(request.user)
    except Forbidden as exc:
        raise PermissionDenied(str(exc.message)) from exc


def region_choices(scope: Scope) -> list[tuple[str, str]]:
    """The regions a target may be set for: the reviewer's own and everything under it."""
    rows = Region.objects.all()
    if not scope.is_admin:
        from django.db.models import Q

        q = Q(pk__in=[])
        for prefix in scope.region_prefixes:
            q |= prefix_q(prefix, "code")
        rows = rows.filter(q)
    indent = {Region.Level.PROVINCE: "", Region.Level.CITY: "", Region.Level.COUNTY: "— "}
    return [(r.code, f"{indent[r.level]}{r}") for r in rows.order_by("code")]


def _manageable(scope: Scope, target) -> bool:
    """Mirrors the service's rule only to hide buttons; the service still decides."""
    return scope.is_admin or (
        target.department_id is not None and target.department_id in scope.department_ids
    )


@login_required
def target_list(request):
    scope = _reader(request)
    rows = [
        {
            "progress": p,
            "status_label": STATUS_LABELS[p.status],
            "status_colour": STATUS_COLOURS[p.status],
            "manageable": _manageable(scope, p.target),
        }
        for p in target_progress_list(actor=request.user, on=today())
    ]
    form = TargetForm(region_choices=region_choices(scope))
    return render(request, "frontend/tracker/targets.html", {"rows": rows, "form": form})


def _save(request, scope, *, target=None):
    initial = None
    if target is not None:
        initial = {
            "name": target.name,
            "kind": target.kind,
            "region_code": target.region_id,
            "starts_on": target.starts_on,
            "ends_on": target.ends_on,
            "target_count": target.target_count,
        }
    form = TargetForm(request.POST or None, initial=initial, region_choices=region_choices(scope))
    if request.method == "POST" and form.is_valid():
        try:
            if target is None:
                services.target_create(actor=request.user, **form.service_kwargs())
            else:
                services.target_update(actor=request.user, target=target, **form.service_kwargs())
        except NotFound as exc:
            raise Http404(str(exc.message)) from exc
        except Forbidden as exc:
            raise PermissionDenied(str(exc.message)) from exc
        except DomainError as error:
            add_target_error(form, error)
        else:
            messages.success(request, _("The target is saved."))
            return redirect("frontend:tracker-targets")
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "target": target}
    return render(request, "frontend/tracker/target_form.html", context, status=status)


@login_required
def target_add(request):
    return _save(request, _reader(request))


def _target_or_404(request, pk: int):
    try:
        return services.target_get(actor=request.user, target_id=pk)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc


@login_required
def target_edit(request, pk: int):
    scope = _reader(request)
    return _save(request, scope, target=_target_or_404(request, pk))


@login_required
@require_POST
def target_delete(request, pk: int):
    _reader(request)
    target = _target_or_404(request, pk)
    try:
        services.target_delete(actor=request.user, target=target)
    except Forbidden as exc:
        raise PermissionDenied(str(exc.message)) from exc
    messages.success(request, _("The target is deleted."))
    return redirect("frontend:tracker-targets")
