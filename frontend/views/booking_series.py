"""Recurring series pages: the form with its preview of every occurrence (price, clash,
rule break), booking it all-or-nothing or the free ones, and the series page with its
occurrences and cancellations (all, or this and the following)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.acting import acting_organisation_id
from accounts.models import Organisation
from accounts.scoping import Scope
from booking.models import Booking
from booking.selectors import bookings as selectors
from booking.services import series as services
from config.errors import DomainError, Invalid, NotFound
from frontend.forms.booking_series import SeriesForm
from frontend.forms.bookings import ReasonForm
from frontend.http import error_status

B = Booking.Status


def _instrument_or_404(pk: int):
    try:
        return selectors.instrument_get_for_booking(pk=pk)
    except NotFound as exc:
        raise Http404 from exc


def _initial(instrument) -> dict:
    day = timezone.localdate() + dt.timedelta(days=7)
    return {"day": day, "start_time": "09:00", "end_time": "11:00",
            "until": day + dt.timedelta(weeks=17)}  # fmt: skip


@login_required
def series_create(request, pk: int):
    instrument = _instrument_or_404(pk)
    form = SeriesForm(request.POST or None, initial=_initial(instrument))
    context = {"instrument": instrument, "form": form, "weekdays": form["weekdays"]}
    error, status = None, 200
    if request.method == "POST":
        try:
            firm_id = acting_organisation_id(request, kind=Organisation.Kind.FIRM)
            if firm_id is None:
                raise Invalid(_("Bookings are made for a firm: join or switch to a firm first."))
            if not form.is_valid():
                raise Invalid(_("Please correct the marked fields."))
            rule = form.rule()
            context["preview"] = services.series_preview(
                actor=request.user, instrument=instrument, rule=rule
            )
            if request.POST.get("action") == "book":
                result = services.series_create(
                    actor=request.user, firm=firm_id, instrument=instrument.pk, rule=rule,
                    purpose=form.cleaned_data["purpose"], mode=form.cleaned_data["mode"],
                )  # fmt: skip
                messages.success(request, _("%(n)s sessions booked; %(k)s skipped.")
                                 % {"n": len(result.booked), "k": len(result.skipped)})  # fmt: skip
                return redirect("frontend:series-detail", pk=result.series.pk)
        except DomainError as exc:
            error, status = exc, error_status(exc)
            for name, msgs in exc.fields.items():
                if name in form.fields and not form.has_error(name):
                    form.add_error(name, [str(m) for m in msgs])
    context["error"] = error
    return render(request, "frontend/bookings/series_create.html", context, status=status)


def _series_or_404(request, pk: int):
    try:
        return services.series_get(actor=request.user, pk=pk)
    except NotFound as exc:
        raise Http404 from exc


@login_required
def series_detail(request, pk: int):
    series = _series_or_404(request, pk)
    occurrences = list(services.series_occurrences(series))
    scope = Scope.for_user(request.user)
    open_ = [b for b in occurrences if b.status in (B.REQUESTED, B.APPROVED)]
    return render(request, "frontend/bookings/series_detail.html", {
        "series": series, "occurrences": occurrences, "open_count": len(open_),
        "is_manager": scope.can_manage_provider(series.instrument.provider_id),
        "total_fen": sum(b.quote_fen for b in occurrences if b.is_live),
    })  # fmt: skip


@login_required
@require_POST
def series_cancel(request, pk: int):
    series = _series_or_404(request, pk)
    reason = ReasonForm(request.POST)
    pivot = None
    try:
        if request.POST.get("from_booking"):
            pivot = selectors.booking_get(actor=request.user, pk=int(request.POST["from_booking"]))
        if not reason.is_valid():
            raise Invalid(" ".join(reason.errors.get("reason", [])), code="invalid_reason")
        done = services.series_cancel(actor=request.user, series=series,
                                      reason=reason.cleaned_data["reason"], from_booking=pivot)  # fmt: skip
    except (DomainError, ValueError) as exc:
        messages.error(request, getattr(exc, "message", _("Booking not found.")))
    else:
        messages.success(request, _("%(n)s sessions cancelled.") % {"n": len(done["cancelled"])})
        if done["kept"]:
            messages.warning(request, _("%(n)s could not be cancelled any more (past the "
                                        "cut-off or started).") % {"n": len(done["kept"])})  # fmt: skip
    return redirect(reverse("frontend:series-detail", args=[series.pk]))
