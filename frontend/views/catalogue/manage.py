"""Lab managers' instrument pages: list, create, edit (with rules), prices, opening hours,
blackouts (+ .ics upload), qualifications. Another provider's instrument is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from booking.selectors.uncovered import bookings_uncovered
from booking.services.lab_actions import blackout_affected, blackout_create_over_bookings
from config.errors import DomainError, NotFound
from facilities import selectors, services
from facilities.models import Blackout, Qualification
from frontend.forms import catalogue as forms
from frontend.views.catalogue.helpers import managed_provider


def apply_error(form, exc: DomainError) -> None:
    """Show a domain error on the form: on its fields when named, else at the top."""
    placed = False
    for name, msgs in (exc.fields or {}).items():
        if name in form.fields:
            form.add_error(name, [str(m) for m in msgs] or str(exc.message))
            placed = True
    if not placed:
        form.add_error(None, str(exc.message))


def managed_instrument(request, pk):
    try:
        return selectors.instrument_get_for_manage(actor=request.user, pk=pk)
    except NotFound as exc:
        raise Http404 from exc


def _tab(request, instrument, template: str, tab: str, **context):
    return render(request, f"frontend/catalogue/manage/{template}",
                  {"instrument": instrument, "tab": tab, **context})  # fmt: skip


@login_required
def lab_instruments(request):
    try:
        provider = managed_provider(request)
    except NotFound as exc:
        raise Http404 from exc
    q = request.GET.get("q", "").strip()[:100]
    rows = selectors.instrument_list_for_manager(
        actor=request.user, provider_ids=[provider.pk], q=q
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "frontend/catalogue/manage/instrument_list.html",
                  {"page": page, "provider": provider, "q": q})  # fmt: skip


@login_required
def instrument_create(request):
    try:
        provider = managed_provider(request)
    except NotFound as exc:
        raise Http404 from exc
    form = forms.InstrumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            instrument = services.instrument_create(
                actor=request.user, provider=provider, **form.service_fields()
            )
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Instrument listed. Now set its opening hours and prices."))
            return redirect("frontend:lab-instrument-hours", instrument.pk)
    return render(
        request,
        "frontend/catalogue/manage/instrument_form.html",
        {"form": form, "provider": provider},
    )


@login_required
def instrument_edit(request, pk: int):
    instrument = managed_instrument(request, pk)
    form = forms.InstrumentForm(request.POST or None, request.FILES or None, instance=instrument)
    if request.method == "POST" and form.is_valid():
        try:
            services.instrument_update(
                actor=request.user, instrument=instrument, **form.service_fields()
            )
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("frontend:lab-instrument-edit", pk)
    return _tab(request, instrument, "instrument_form.html", "edit", form=form)


@login_required
@require_POST
def instrument_retire(request, pk: int):
    instrument = managed_instrument(request, pk)
    services.instrument_retire(actor=request.user, instrument=instrument)
    messages.success(request, _("The instrument is retired and no longer listed."))
    return redirect("frontend:lab-instruments")


@login_required
def instrument_prices(request, pk: int):
    instrument = managed_instrument(request, pk)
    initial = {p.client_group: p.per_hour_fen / 100 for p in instrument.prices.all()}
    form = forms.PricesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.prices_set(actor=request.user, instrument=instrument, prices=form.prices_fen())
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Prices saved."))
            return redirect("frontend:lab-instrument-prices", pk)
    return _tab(request, instrument, "prices.html", "prices", form=form)


def _hours_initial(instrument) -> dict:
    initial, seen = {}, {}
    for row in instrument.opening_hours.all():
        n = seen[row.weekday] = seen.get(row.weekday, 0) + 1
        if n <= 2:
            initial[f"d{row.weekday}_opens{n}"] = row.opens_at
            initial[f"d{row.weekday}_closes{n}"] = row.closes_at
    return initial


@login_required
def instrument_hours(request, pk: int):
    instrument = managed_instrument(request, pk)
    form = forms.WeeklyHoursForm(
        request.POST or None, initial=_hours_initial(instrument), prefix="w"
    )
    exc_form = forms.OpeningExceptionForm(prefix="x")
    if request.method == "POST" and form.is_valid():
        try:
            services.opening_hours_set(
                actor=request.user, instrument=instrument, weekly=form.weekly()
            )
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Opening hours saved."))
            return redirect("frontend:lab-instrument-hours", pk)
    return _hours_page(request, instrument, form, exc_form)


def _hours_page(request, instrument, form, exc_form):
    days = [
        _("Monday"),
        _("Tuesday"),
        _("Wednesday"),
        _("Thursday"),
        _("Friday"),
        _("Saturday"),
        _("Sunday"),
    ]
    rows = [(days[d], [form[f"d{d}_opens{n}"] for n in (1, 2)], [form[f"d{d}_closes{n}"] for n in (1, 2)])
            for d in range(7)]  # fmt: skip
    exceptions = instrument.opening_exceptions.filter(date__gte=timezone.localdate()).order_by(
        "date"
    )[:100]
    return _tab(request, instrument, "hours.html", "hours", form=form, rows=rows,
                exc_form=exc_form, exceptions=exceptions)  # fmt: skip


@login_required
@require_POST
def instrument_exception_add(request, pk: int):
    instrument = managed_instrument(request, pk)
    exc_form = forms.OpeningExceptionForm(request.POST, prefix="x")
    if exc_form.is_valid():
        try:
            services.opening_exception_set(
                actor=request.user, instrument=instrument, **exc_form.cleaned_data
            )
        except DomainError as exc:
            apply_error(exc_form, exc)
        else:
            messages.success(request, _("Date exception saved."))
            return redirect("frontend:lab-instrument-hours", pk)
    form = forms.WeeklyHoursForm(initial=_hours_initial(instrument), prefix="w")
    return _hours_page(request, instrument, form, exc_form)


@login_required
@require_POST
def instrument_exception_delete(request, pk: int, exception_pk: int):
    instrument = managed_instrument(request, pk)
    exception = instrument.opening_exceptions.filter(pk=exception_pk).first()
    if exception is None:
        raise Http404
    services.opening_exception_delete(actor=request.user, exception=exception)
    return redirect("frontend:lab-instrument-hours", pk)


@login_required
def instrument_blackouts(request, pk: int):
    instrument = managed_instrument(request, pk)
    calendars = list(selectors.blackout_calendar_list(instrument=instrument))
    affected = None
    form = forms.BlackoutForm(prefix="b")
    ics_form = forms.IcsUploadForm(prefix="i", calendars=calendars)
    if request.method == "POST" and request.POST.get("action") == "ics":
        ics_form = forms.IcsUploadForm(request.POST, request.FILES, prefix="i", calendars=calendars)
        if ics_form.is_valid():
            upload = _preview_ics(request, instrument, ics_form)
            if upload is not None:
                return redirect("frontend:lab-calendar-upload", pk, upload.pk)
    elif request.method == "POST":
        form = forms.BlackoutForm(request.POST, prefix="b")
        if form.is_valid():
            over = request.POST.get("action") == "over"
            try:
                if over:
                    _blackout_over_bookings(request, instrument, form)
                else:
                    services.blackout_create(
                        actor=request.user, instrument=instrument, **form.cleaned_data
                    )
            except DomainError as exc:
                apply_error(form, exc)
                if exc.code == "blackout_overlaps_bookings":
                    # The lab may cancel them: list them, and confirm with a reason.
                    affected = blackout_affected(
                        actor=request.user, instrument=instrument,
                        start_at=form.cleaned_data["start_at"], end_at=form.cleaned_data["end_at"],
                    )  # fmt: skip
            else:
                if not over:
                    messages.success(request, _("Window added."))
                return redirect("frontend:lab-instrument-blackouts", pk)
    upcoming = (
        Blackout.objects.filter(instrument=instrument, end_at__gte=timezone.now())
        .select_related("calendar")
        .order_by("start_at")
    )
    page = Paginator(upcoming, 50).get_page(request.GET.get("page"))
    return _tab(
        request, instrument, "blackouts.html", "blackouts", form=form, ics_form=ics_form, page=page,
        calendars=calendars, affected=affected,
    )  # fmt: skip


def _blackout_over_bookings(request, instrument, form) -> None:
    """Add the window and cancel the live bookings under it (booking.services.lab_actions)."""
    data = form.cleaned_data
    _blackout, affected = blackout_create_over_bookings(
        actor=request.user, instrument=instrument, start_at=data["start_at"],
        end_at=data["end_at"], kind=data["kind"], reason=data["reason"],
    )  # fmt: skip
    messages.success(
        request,
        _(
            "Window added; %(n)s booking(s) cancelled and their firms offered the nearest free times."
        )
        % {"n": len(affected)},
    )


def _preview_ics(request, instrument, ics_form):
    upload = ics_form.cleaned_data["file"]
    try:
        return services.calendar_preview(
            actor=request.user, instrument=instrument, content=upload.read(2 * 1024 * 1024 + 1),
            filename=upload.name or "", calendar_id=ics_form.cleaned_data["calendar"],
            kind=ics_form.cleaned_data["kind"],
        )  # fmt: skip
    except DomainError as exc:
        apply_error(ics_form, exc)
        return None


@login_required
@require_POST
def instrument_blackout_delete(request, pk: int, blackout_pk: int):
    instrument = managed_instrument(request, pk)
    blackout = Blackout.objects.filter(pk=blackout_pk, instrument=instrument).first()
    if blackout is None:
        raise Http404
    services.blackout_delete(actor=request.user, blackout=blackout)
    messages.success(request, _("Window removed."))
    return redirect("frontend:lab-instrument-blackouts", pk)


@login_required
def instrument_qualifications(request, pk: int):
    instrument = managed_instrument(request, pk)
    form = forms.QualificationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.qualification_grant(actor=request.user, instrument=instrument,
                                         email=form.cleaned_data["email"],
                                         expires_on=form.cleaned_data["expires_on"],
                                         note=form.cleaned_data["note"])  # fmt: skip
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Qualification recorded for %(email)s.")
                             % {"email": form.cleaned_data["email"]})  # fmt: skip
            return redirect("frontend:lab-instrument-qualifications", pk)
    rows = Qualification.objects.filter(instrument=instrument).select_related("user", "granted_by")
    return _tab(request, instrument, "qualifications.html", "qualifications", form=form,
                rows=rows.order_by("revoked_at", "-granted_at")[:200], today=timezone.localdate(),
                uncovered=bookings_uncovered(instrument=instrument))  # fmt: skip


@login_required
@require_POST
def instrument_qualification_revoke(request, pk: int, qualification_pk: int):
    instrument = managed_instrument(request, pk)
    row = Qualification.objects.filter(pk=qualification_pk, instrument=instrument).first()
    if row is None:
        raise Http404
    try:
        services.qualification_revoke(actor=request.user, qualification=row)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        # The bookings it leaves uncovered are listed at the top of the page it returns to.
        lapsed = len(bookings_uncovered(instrument=instrument))
        messages.success(request, _("Qualification revoked.") if not lapsed else ngettext(
            "Qualification revoked. %(n)s future booking is no longer covered: review it at the "
            "top.",
            "Qualification revoked. %(n)s future bookings are no longer covered: review them at "
            "the top.", lapsed) % {"n": lapsed})  # fmt: skip
    return redirect("frontend:lab-instrument-qualifications", pk)
