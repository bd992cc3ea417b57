"""Moving a booking (firm or lab), the lab's cancel with a reason, and booking on a firm's
behalf (phone or walk-in)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.acting import acting_organisation_id
from accounts.models import Organisation
from booking.selectors import bookings as selectors
from booking.services import booking_moves, lab_actions
from config.errors import DomainError, Invalid, NotFound
from facilities.models import Instrument
from frontend.forms.booking_series import MoveForm, OnBehalfForm
from frontend.forms.bookings import ReasonForm
from frontend.http import error_status
from frontend.views.bookings import render_detail
from frontend.views.vouchers_pay import chosen_voucher_ids, voucher_context


def _booking_or_404(request, pk: int):
    try:
        return selectors.booking_get(actor=request.user, pk=pk)
    except NotFound as exc:
        raise Http404 from exc


def _show(form, exc: DomainError) -> None:
    aliases = {"start": "start_time", "end": "end_time"}
    for name, msgs in exc.fields.items():
        name = aliases.get(name, name)
        if name in form.fields:
            form.add_error(name, [str(m) for m in msgs])


@login_required
@require_POST
def booking_move(request, pk: int):
    """The detail page's move form; a refusal re-renders the page with the typed form."""
    booking = _booking_or_404(request, pk)
    form = MoveForm(request.POST, instruments=selectors.move_targets(booking=booking))
    try:
        if not form.is_valid():
            raise Invalid(_("Please correct the marked fields."))
        start, end = form.instants()
        booking_moves.booking_move(
            actor=request.user, booking=booking, start_at=start, end_at=end,
            instrument=form.cleaned_data["instrument"], reason=form.cleaned_data["reason"],
        )  # fmt: skip
    except DomainError as exc:
        _show(form, exc)
        booking.refresh_from_db()
        return render_detail(request, booking, move_form=form, move_error=exc,
                              status=error_status(exc))  # fmt: skip
    messages.success(request, _("Booking moved. Status: %s") % booking.get_status_display())
    return redirect("frontend:booking-detail", pk=pk)


@login_required
@require_POST
def booking_lab_cancel(request, pk: int):
    booking = _booking_or_404(request, pk)
    reason = ReasonForm(request.POST)
    try:
        reason.is_valid()
        lab_actions.booking_cancel_by_manager(
            actor=request.user, booking=booking, reason=reason.cleaned_data.get("reason", "")
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Booking cancelled; the firm has been told why."))
    return redirect("frontend:booking-detail", pk=pk)


@login_required
def book_for_firm(request):
    """The lab books for a firm in two steps: "Show the price" checks the rules, prices the
    range at the firm's rate and lists the firm's vouchers with what each would pay (and
    the split of the ticked ones); "Book for the firm" books with the ticked vouchers
    through the same hold as the firm's own booking."""
    provider_id = acting_organisation_id(request, kind=Organisation.Kind.PROVIDER)
    instruments = list(
        Instrument.objects.filter(provider_id=provider_id or 0).order_by("name").only("pk", "name")
    )
    form = OnBehalfForm(request.POST or None, instruments=instruments)
    context = {"form": form, "error": None, "has_instruments": bool(instruments)}
    status = 200
    if request.method == "POST":
        try:
            if not form.is_valid():
                raise Invalid(_("Please correct the marked fields."))
            booking = _book_or_quote(request, form, context)
        except DomainError as exc:
            context["error"], status = exc, error_status(exc)
            _show(form, exc)
        else:
            if booking is not None:
                messages.success(request, _("Booked for %(firm)s.") % {"firm": booking.firm.name})
                return redirect("frontend:booking-detail", pk=booking.pk)
    return render(request, "frontend/bookings/book_for_firm.html", context, status=status)


def _book_or_quote(request, form, context):
    """The booking (step "book"), or None with the quote and the firm's vouchers put in
    ``context`` (step "quote")."""
    data = form.cleaned_data
    firm_id = lab_actions.firm_id_for_code(data["firm_code"])
    member = lab_actions.member_id_for_email(firm_id, data["member_email"])
    start, end = form.instants()
    chosen = chosen_voucher_ids(request.POST)
    if request.POST.get("step") == "book":
        return lab_actions.booking_create_for_firm(
            actor=request.user, firm=firm_id, instrument=data["instrument"], start_at=start,
            end_at=end, purpose=data["purpose"], member=member, voucher_ids=chosen,
        )  # fmt: skip
    quote = lab_actions.booking_quote_for_firm(
        actor=request.user, firm=firm_id, instrument=data["instrument"], start_at=start,
        end_at=end, member=member,
    )  # fmt: skip
    context["quote"] = quote
    context |= voucher_context(
        actor=request.user, firm_id=firm_id, order_kind="booking", item_id=data["instrument"],
        fee_fen=quote["quote_fen"], chosen=chosen,
    )  # fmt: skip
    return None
