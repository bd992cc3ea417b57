"""The lab manager cancels a future booking that no qualification covers any more (the
list is on the instrument's qualifications tab)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from booking.selectors.uncovered import booking_uncovered_get
from booking.services.uncovered import booking_cancel_uncovered
from config.errors import DomainError, NotFound
from frontend.views.catalogue.manage import managed_instrument


@login_required
@require_POST
def instrument_uncovered_cancel(request, pk: int, booking_pk: int):
    instrument = managed_instrument(request, pk)
    try:
        booking = booking_uncovered_get(actor=request.user, pk=booking_pk)
    except NotFound as exc:
        raise Http404 from exc
    if booking.instrument_id != instrument.pk:
        raise Http404
    try:
        booking_cancel_uncovered(actor=request.user, booking=booking,
                                 reason=request.POST.get("reason", ""))  # fmt: skip
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Booking cancelled; the firm has been told why."))
    return redirect("frontend:lab-instrument-qualifications", pk)
