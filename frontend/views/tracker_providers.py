"""Providers' sharing figures: each provider's lab managers see their own, department
reviewers those of the providers in their region. Read through
tracker.selectors.providers (404 for a provider that is not yours); exportable."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Membership
from config.errors import Forbidden, Invalid, NotFound
from frontend.views.tracker_filters import FIRST_YEAR, period_dates, provider_choices
from frontend.views.tracker_tables import CONTENT_TYPES, Column, Table, export_response
from tracker.models import UsageKind
from tracker.selectors.filters import today, tracker_access, usage_filters_for
from tracker.selectors.plans import custom_plans
from tracker.selectors.providers import provider_statistics
from tracker.selectors.usage import usage_breakdown


def _percent(fraction):
    return None if fraction is None else round(100 * fraction, 1)


def instruments_table(stats: dict) -> Table:
    table = Table(
        "instruments",
        gettext_lazy("Instruments"),
        [
            Column(gettext_lazy("Instrument")),
            Column(gettext_lazy("Model")),
            Column(gettext_lazy("Effective working hours"), "hours"),
            Column(gettext_lazy("Outside-service hours"), "hours"),
            Column(gettext_lazy("Sharing rate"), "percent"),
            Column(gettext_lazy("Utilisation"), "percent"),
            Column(gettext_lazy("Uses"), "int"),
            Column(gettext_lazy("Bookings"), "int"),
            Column(gettext_lazy("No-show rate"), "percent"),
            Column(gettext_lazy("Firms served"), "int"),
        ],
    )
    for r in stats["instruments"]:
        table.rows.append([
            r["name"], r["model_number"], r["effective_hours"], r["outside_hours"],
            _percent(r["sharing_rate"]), _percent(r["utilisation"]), r["uses"], r["bookings"],
            _percent(r["no_show_rate"]), r["firms_served"],
        ])  # fmt: skip
    return table


def services_table(stats: dict) -> Table:
    table = Table(
        "services",
        gettext_lazy("Testing services"),
        [
            Column(gettext_lazy("Testing service")),
            Column(gettext_lazy("Batches"), "int"),
            Column(gettext_lazy("Samples"), "int"),
            Column(gettext_lazy("On-time rate"), "percent"),
            Column(gettext_lazy("Firms served"), "int"),
        ],
    )
    for r in stats["services"]:
        table.rows.append(
            [r["name"], r["batches"], r["samples"], _percent(r["on_time_rate"]), r["firms_served"]]
        )
    return table


TABLES = {"instruments": instruments_table, "services": services_table}


def _period(request, on: dt.date) -> tuple[str, dt.date | None, dt.date | None]:
    period = (request.GET.get("period") or "this_year").strip()
    if period == "custom":
        try:
            start = dt.date.fromisoformat(request.GET.get("from", ""))
            end = dt.date.fromisoformat(request.GET.get("to", ""))
        except ValueError:
            message = _("Enter the period's start and end dates.")
            raise Invalid(message, code="invalid_date") from None
        return period, start, end
    if period == "all":
        return period, dt.date(FIRST_YEAR, 1, 1), on
    start, end = period_dates(period, today=on)
    return period, start, end


def _period_choices(on: dt.date) -> list[tuple[str, str]]:
    named = [
        ("this_month", _("This month")),
        ("this_year", _("This year")),
        ("last_12_months", _("Last 12 months")),
    ]
    years = [(str(y), str(y)) for y in range(on.year, FIRST_YEAR - 1, -1)]
    return [*named, *years, ("all", _("All time")), ("custom", _("Custom dates"))]


@login_required
@custom_plans()
def provider_statistics_page(request, pk: int):
    on = today()
    try:
        period, start, end = _period(request, on)
        stats = provider_statistics(actor=request.user, provider_id=pk, start=start, end=end)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    except Invalid as error:
        context = {"error": error, "period": request.GET.get("period", ""),
                   "period_choices": _period_choices(on), "chosen": request.GET}  # fmt: skip
        return render(request, "frontend/tracker/provider_statistics.html", context, status=400)
    slug, fmt = request.GET.get("export", ""), request.GET.get("format", "")
    if slug in TABLES and fmt in CONTENT_TYPES:
        name = f"labshare-{slug}-{pk}-{stats['period'].start:%Y%m%d}-{stats['period'].end:%Y%m%d}"
        return export_response(TABLES[slug](stats), fmt, filename=name)
    context = {
        "stats": stats,
        "provider": stats["provider"],
        "tables": [TABLES["instruments"](stats), TABLES["services"](stats)],
        "period": period,
        "period_choices": _period_choices(on),
        "chosen": request.GET,
        "basis_hours": _basis_hours(),
    }
    return render(request, "frontend/tracker/provider_statistics.html", context)


def _basis_hours() -> int:
    from django.conf import settings

    return settings.TRACKER_UTILISATION_BASIS_HOURS


@login_required
@custom_plans()
def my_statistics(request):
    """A lab manager's own provider (the one the navbar says they act for)."""
    acting = request.acting
    if acting is None or acting.role != Membership.Role.LAB_MANAGER:
        raise Http404(_("Act as a lab manager of a provider to see its statistics."))
    return redirect("frontend:tracker-provider-statistics", pk=acting.organisation_id)


@login_required
def provider_list(request):
    """Department reviewers: the providers of their region, with this year's counts."""
    try:
        scope = tracker_access(request.user)
    except Forbidden as exc:
        raise PermissionDenied(str(exc.message)) from exc
    on = today()
    filters = usage_filters_for(actor=request.user, start=on.replace(month=1, day=1), end=on)
    counts: dict = {}
    for r in usage_breakdown(filters=filters, by="provider"):
        counts.setdefault(str(r["key"]), {UsageKind.USE: 0, UsageKind.BATCH: 0})[r["kind"]] = r[
            "count"
        ]
    rows = [
        {"pk": pk, "name": name, **counts.get(pk, {UsageKind.USE: 0, UsageKind.BATCH: 0})}
        for pk, name in provider_choices(scope)
    ]
    rows.sort(key=lambda r: (-(r[UsageKind.USE] + r[UsageKind.BATCH]), r["name"]))
    return render(request, "frontend/tracker/provider_list.html", {"rows": rows, "year": on.year})
