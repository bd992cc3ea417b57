"""The science department's usage dashboard, its exports, and the public summary.

Thin: the filter bar is parsed by the tracker (tracker_filters), every figure comes from
tracker.selectors through tracker_dashboard's sections, and an export writes the same
section's table. Domain errors become the page's answer: 400 with the message for a bad
filter, 404 for a region or provider outside the reader's scope, 403 for a non-reviewer.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import Region
from config.errors import Forbidden, Invalid, NotFound
from frontend.views import tracker_filters as bar
from frontend.views.tracker_dashboard import SECTIONS, Ctx, dashboard_sections
from frontend.views.tracker_tables import CONTENT_TYPES, export_response
from tracker.selectors import filter_choices
from tracker.selectors.filters import today, tracker_access
from tracker.selectors.plans import custom_plans
from tracker.selectors.public import public_summary
from tracker.services.reconciliation import reconciliation_last


def _reader(request):
    try:
        return tracker_access(request.user)
    except Forbidden as exc:
        raise PermissionDenied(str(exc.message)) from exc


def _ctx(request, on) -> Ctx:
    try:
        chosen = bar.filter_bar_parse(actor=request.user, query=request.GET, today=on)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    params = dict(chosen.params)
    if request.GET.get("metric"):
        params["metric"] = request.GET["metric"]
    if chosen.period == "custom":
        params["from"] = request.GET.get("from", "")
        params["to"] = request.GET.get("to", "")
    return Ctx(
        actor=request.user,
        filters=chosen.filters,
        today=on,
        params=params,
        base_url=reverse("frontend:tracker-dashboard"),
    )


def _bar_context(request, scope, on, *, error: Invalid | None = None) -> dict:
    return {
        "period_choices": bar.period_choices(today=on),
        "kind_choices": bar.kind_choices(),
        "region_choices": filter_choices.region_choices(scope),
        "category_choices": filter_choices.category_choices(),
        "provider_picker": _provider_picker(request, scope),
        "chosen": {
            k: request.GET.get(k, "")
            for k in ("region", "kind", "category", "provider", "from", "to")
        }
        | {"period": request.GET.get("period") or bar.DEFAULT_PERIOD},
        "filter_error": error,
    }


def _provider_picker(request, scope) -> bar.ProviderPicker:
    return bar.provider_picker(
        scope,
        chosen=request.GET.get("provider", "").strip(),
        search=request.GET.get("provider_search", ""),
    )


def _scope_label(scope) -> str:
    if scope.is_admin or not scope.region_prefixes:
        return str(Region.objects.get(code="330000"))
    codes = [p.ljust(6, "0") for p in scope.region_prefixes]
    return "、".join(str(r) for r in Region.objects.filter(code__in=codes))


@login_required
@custom_plans()
def dashboard(request):
    scope = _reader(request)
    on = today()
    try:
        ctx = _ctx(request, on)
    except Invalid as error:
        context = _bar_context(request, scope, on, error=error) | {
            "scope_label": _scope_label(scope)
        }
        return render(request, "frontend/tracker/dashboard.html", context, status=400)
    context = _bar_context(request, scope, on) | {
        "scope_label": _scope_label(scope),
        "sections": dashboard_sections(ctx),
        "filters": ctx.filters,
        "export_url": reverse("frontend:tracker-export"),
        "reconciliation": reconciliation_last(),
        "today": on,
    }
    return render(request, "frontend/tracker/dashboard.html", context)


@login_required
@custom_plans()
def dashboard_export(request):
    _reader(request)
    slug = request.GET.get("table", "")
    fmt = request.GET.get("format", "")
    if slug not in SECTIONS or fmt not in CONTENT_TYPES:
        return render(
            request,
            "frontend/tracker/export_error.html",
            {"message": _("Choose a table and a format (CSV or XLSX) to export.")},
            status=400,
        )
    try:
        ctx = _ctx(request, today())
    except Invalid as error:
        return render(
            request, "frontend/tracker/export_error.html", {"message": error.message}, status=400
        )
    section = SECTIONS[slug](ctx)
    if section is None:
        raise Http404(_("This table is not shown for the chosen kind."))
    return export_response(section.table, fmt, filename=f"labshare-{slug}-{ctx.today:%Y%m%d}")


@login_required
def provider_options(request):
    """The filter bar's provider list for what was typed in its search box (htmx)."""
    picker = _provider_picker(request, _reader(request))
    return render(request, "frontend/tracker/_provider_options.html", {"provider_picker": picker})


@custom_plans()
def public_summary_page(request):
    """No sign-in: the province's progress per target, by city (cached by the tracker)."""
    return render(request, "frontend/tracker/public.html", {"summary": public_summary()})
