"""Waitlist pages: join a taken range from the booking page, the firm's waitlist with its
offers to claim, leaving it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.acting import acting_organisation_id
from accounts.models import Organisation
from booking.models import WaitlistEntry
from booking.selectors import waitlist as selectors
from booking.services import waitlist as services
from config.errors import DomainError, Invalid, NotFound
from frontend.forms.bookings import BookingForm
from frontend.forms.waitlist import WaitlistForm
from frontend.http import error_status
from frontend.views.bookings import _instrument_or_404, _week_context
from frontend.views.vouchers_pay import chosen_voucher_ids

W = WaitlistEntry.Status


@login_required
@require_POST
def waitlist_join(request, pk: int):
    """From the booking page: a refusal re-renders it with the typed times and why."""
    instrument = _instrument_or_404(pk)
    form = WaitlistForm(request.POST, prefix="waitlist")
    try:
        firm_id = acting_organisation_id(request, kind=Organisation.Kind.FIRM)
        if firm_id is None:
            raise Invalid(_("Bookings are made for a firm: join or switch to a firm first."))
        if not form.is_valid():
            raise Invalid(" ".join(str(e) for errs in form.errors.values() for e in errs))
        services.waitlist_join(
            actor=request.user, firm=firm_id, instrument=instrument,
            start_at=form.cleaned_data["start"], end_at=form.cleaned_data["end"],
            purpose=form.cleaned_data["purpose"],
        )  # fmt: skip
    except DomainError as error:
        context = _week_context(request, instrument) | {
            "form": BookingForm(), "waitlist_form": form, "waitlist_error": error,
        }  # fmt: skip
        return render(request, "frontend/bookings/create.html", context,
                      status=error_status(error))  # fmt: skip
    messages.success(request, _("You are on the waitlist. We will tell you if the time frees."))
    return redirect("frontend:waitlist")


@login_required
def waitlist_page(request):
    firm_id = acting_organisation_id(request, kind=Organisation.Kind.FIRM)
    qs = selectors.waitlist_with_place(
        selectors.waitlist_list(actor=request.user, firm_id=firm_id or 0)
    )
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return render(request, "frontend/bookings/waitlist.html",
                  {"page": page, "now": timezone.now(), "open": WaitlistEntry.OPEN})  # fmt: skip


def _entry_or_404(request, pk: int) -> WaitlistEntry:
    try:
        return selectors.waitlist_get(actor=request.user, pk=pk)
    except NotFound as exc:
        raise Http404 from exc


@login_required
@require_POST
def waitlist_claim(request, pk: int):
    entry = _entry_or_404(request, pk)
    try:
        booking = services.waitlist_claim(
            actor=request.user, entry=entry, voucher_ids=chosen_voucher_ids(request.POST)
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("frontend:waitlist")
    messages.success(request, _("The time is yours. Status: %s") % booking.get_status_display())
    return redirect("frontend:booking-detail", pk=booking.pk)


@login_required
@require_POST
def waitlist_leave(request, pk: int):
    entry = _entry_or_404(request, pk)
    try:
        services.waitlist_leave(actor=request.user, entry=entry)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("You have left the waitlist."))
    return redirect("frontend:waitlist")
