"""Booking pages: the instrument's week calendar and quote, My bookings, the detail with
its timeline and actions, the lab manager's Today and approvals, notifications, feeds."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.acting import acting_organisation_id
from accounts.models import Organisation
from accounts.scoping import Scope
from booking import feeds
from booking.models import Booking, FeedToken, KioskCode
from booking.notifications import mark_read
from booking.selectors import bookings as selectors
from booking.services import bookings as services
from config.bounds import parse_day
from config.errors import DomainError, Invalid, NotFound
from config.links import site_link
from frontend.forms.booking_series import MoveForm
from frontend.forms.bookings import BookingForm, CheckInForm, CheckOutForm, ReasonForm
from frontend.http import error_status, next_or
from frontend.views.booking_calendar import build_week, week_start
from frontend.views.vouchers_pay import chosen_voucher_ids, payment_of, payments_of, voucher_context

B = Booking.Status


def _acting_org_id(request, kind: str) -> int | None:
    """The organisation the page acts for (accounts.acting); an ambiguous hat raises, and
    frontend.middleware answers with the chooser."""
    return acting_organisation_id(request, kind=kind)


def _week_context(request, instrument, busy_in_week=None) -> dict:
    """The week grid; ``busy_in_week(start, end)`` gives the busy intervals (manager view)."""
    monday = week_start(parse_day(request.GET.get("week"), field="week") or timezone.localdate())
    busy = None
    if busy_in_week:
        start = dt.datetime.combine(monday, dt.time.min, tzinfo=timezone.get_current_timezone())
        busy = busy_in_week(start, start + dt.timedelta(days=7))
    return {"instrument": instrument, "week": build_week(instrument, monday, busy=busy)}


def booking_create(request, pk: int):
    instrument = _instrument_or_404(pk)
    form = BookingForm(request.POST or None)
    error, status = None, 200
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?next={request.path}")
        try:
            firm_id = acting_organisation_id(request, kind=Organisation.Kind.FIRM)
        except Invalid as exc:
            firm_id, error = None, exc
        if error is None and firm_id is None:
            error = Invalid(_("Bookings are made for a firm: join or switch to a firm first."))
        elif error is None and not form.is_valid():
            error = Invalid(form.problem())
        elif error is None:
            try:
                booking = services.booking_create(
                    actor=request.user,
                    firm=firm_id,
                    instrument=instrument,
                    start_at=form.cleaned_data["start"],
                    end_at=form.cleaned_data["end"],
                    purpose=form.cleaned_data["purpose"],
                    voucher_ids=chosen_voucher_ids(request.POST),
                )
            except DomainError as exc:
                error = exc
            else:
                messages.success(
                    request, _("Booking made. Status: %s") % booking.get_status_display()
                )
                return redirect("frontend:booking-detail", pk=booking.pk)
        status = error_status(error)
    context = _week_context(request, instrument) | {"form": form, "error": error}
    if request.method == "POST" and request.user.is_authenticated:
        # Refused: the quote and the ticked vouchers stay on the form with the reason.
        context["quoted"] = _quote_context(request, instrument, form)
    if request.htmx and request.method == "GET":
        return render(request, "frontend/bookings/_week.html", context)
    return render(request, "frontend/bookings/create.html", context, status=status)


def _instrument_or_404(pk: int):
    try:
        return selectors.instrument_get_for_booking(pk=pk)
    except NotFound as exc:
        raise Http404 from exc


def booking_quote(request, pk: int):
    """htmx: the price and rule check of the picked range, before confirming."""
    instrument = _instrument_or_404(pk)
    if not request.user.is_authenticated:
        return render(request, "frontend/bookings/_quote.html", {"sign_in": True})
    form = BookingForm(request.POST or request.GET)
    return render(
        request, "frontend/bookings/_quote.html", _quote_context(request, instrument, form)
    )


def _quote_context(request, instrument, form: BookingForm) -> dict:
    """The price of the picked range and, for a firm, what its vouchers would pay of it."""
    form.is_valid()
    start, end = form.cleaned_data.get("start"), form.cleaned_data.get("end")
    context = {"instrument": instrument, "start": start, "end": end}
    if start and end:
        try:
            quote = services.booking_quote(
                actor=request.user, instrument=instrument, start_at=start, end_at=end
            )
        except DomainError as exc:
            context["error"] = exc
        else:
            context["quote"] = quote
            context |= voucher_context(
                actor=request.user, firm_id=_acting_org_id(request, Organisation.Kind.FIRM),
                order_kind="booking", item_id=instrument.pk, fee_fen=quote["quote_fen"],
                chosen=chosen_voucher_ids(form.data),
            )  # fmt: skip
    return context


@login_required
def my_bookings(request):
    firm_id = _acting_org_id(request, Organisation.Kind.FIRM)
    when = "past" if request.GET.get("when") == "past" else "upcoming"
    status = request.GET.get("status", "")
    qs = selectors.my_bookings(actor=request.user, firm_id=firm_id or 0, when=when, status=status)
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    payments = payments_of("booking", page.object_list)
    for booking in page.object_list:
        booking.payment = payments[booking.pk]
    token = feeds.feed_token_get_or_create(user=request.user)
    return render(
        request,
        "frontend/bookings/my_bookings.html",
        {
            "page": page,
            "when": when,
            "status": status,
            "statuses": B.choices,
            "feed_url": site_link(reverse("frontend:booking-feed", args=[token.token])),
        },
    )


@login_required
def booking_detail(request, pk: int):
    return render_detail(request, _booking_or_404(request, pk))


def render_detail(
    request, booking: Booking, *, form=None, error=None, status: int = 200, move_form=None,
    move_error=None,
):  # fmt: skip
    """The detail page; after a refused check-in/out or move, with the typed form and the
    error."""
    scope = Scope.for_user(request.user)
    is_manager = scope.can_manage_provider(booking.instrument.provider_id)
    context = {
        "booking": booking,
        "history": selectors.booking_history(booking=booking),
        "session": getattr(booking, "session", None) if booking.status != B.REQUESTED else None,
        "is_manager": is_manager,
        "is_booker": scope.can_act_for_firm(booking.firm_id),
        "payment": payment_of("booking", booking),
        "can_cancel": booking.status in (B.REQUESTED, B.APPROVED),
        "status_labels": dict(B.choices),
        "now": timezone.now(),
        "session_error": error,
        "move_error": move_error,
    }
    is_open = booking.status in (B.REQUESTED, B.APPROVED)
    if is_open and (is_manager or context["is_booker"]):
        context["move_form"] = move_form or _move_form(booking)
    if context["is_booker"] and booking.status in (B.APPROVED, B.CHECKED_IN):
        context["kiosk_code"] = KioskCode.objects.filter(booking=booking, used_at=None).first()
        context["kiosk_code_offered"] = True
    if is_manager and booking.status == B.APPROVED:
        context["check_in_form"] = form or _check_in_form(booking)
    elif is_manager and booking.status == B.CHECKED_IN:
        context["check_out_form"] = form or CheckOutForm(initial={"actual_end": _now_minute()})
    return render(request, "frontend/bookings/detail.html", context, status=status)


def _move_form(booking: Booking) -> MoveForm:
    start, end = timezone.localtime(booking.start_at), timezone.localtime(booking.end_at)
    return MoveForm(
        instruments=selectors.move_targets(booking=booking),
        initial={"day": start.date(), "start_time": start.strftime("%H:%M"),
                 "end_time": end.strftime("%H:%M"), "instrument": booking.instrument_id},
    )  # fmt: skip


def _now_minute() -> dt.datetime:
    return timezone.localtime().replace(second=0, microsecond=0)


def _check_in_form(booking: Booking, data=None) -> CheckInForm:
    return CheckInForm(
        data,
        operators=selectors.session_operators(booking=booking),
        initial={"actual_start": _now_minute()},
    )


def _booking_or_404(request, pk: int) -> Booking:
    try:
        return selectors.booking_get(actor=request.user, pk=pk)
    except NotFound as exc:
        raise Http404 from exc


_ACTIONS = {
    "approve": services.booking_approve,
    "reject": services.booking_reject,
    "cancel": services.booking_cancel,
    "no-show": services.booking_mark_no_show,
}


@login_required
@require_POST
def booking_action(request, pk: int, action: str):
    booking = _booking_or_404(request, pk)
    if action in ("check-in", "check-out"):
        return _session_action(request, booking, action)
    if action not in _ACTIONS:
        raise Http404
    reason = ReasonForm(request.POST)
    try:
        if not reason.is_valid():
            raise Invalid(" ".join(reason.errors.get("reason", [])), code="invalid_reason")
        _ACTIONS[action](
            actor=request.user, booking=booking, reason=reason.cleaned_data.get("reason", "")
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Done: %s") % booking.get_status_display())
    return redirect(next_or(request, reverse("frontend:booking-detail", args=[pk])))


def _session_action(request, booking: Booking, action: str):
    """Check-in or check-out. A refusal re-renders the detail page with what was typed
    and the reason (400/409); the Today page's one-click buttons send no times (now)."""
    if action == "check-in":
        form = _check_in_form(booking, request.POST)
    else:
        form = CheckOutForm(request.POST)
    quick = request.POST.get("quick") == "1"  # Today's button: times are "now"
    if not quick and not form.is_valid():
        return render_detail(request, booking, form=form, status=400)
    data = form.cleaned_data if not quick else {}
    try:
        if action == "check-in":
            services.booking_check_in(
                actor=request.user, booking=booking, actual_start_at=data.get("actual_start"),
                operator=data.get("operator") or None, notes=data.get("notes", ""),
            )  # fmt: skip
        else:
            services.booking_check_out(
                actor=request.user, booking=booking, actual_end_at=data.get("actual_end"),
                notes=data.get("notes", ""),
            )  # fmt: skip
    except DomainError as exc:
        if quick:
            messages.error(request, exc.message)
            return redirect(next_or(request, reverse("frontend:booking-detail", args=[booking.pk])))
        booking.refresh_from_db()
        _show_field_errors(form, exc)
        return render_detail(request, booking, form=form, error=exc, status=error_status(exc))
    messages.success(request, _("Done: %s") % booking.get_status_display())
    return redirect(next_or(request, reverse("frontend:booking-detail", args=[booking.pk])))


def _show_field_errors(form, exc: DomainError) -> None:
    for name, errors in exc.fields.items():
        if name in form.fields:
            for message in errors:
                form.add_error(name, message)


@login_required
def lab_today(request):
    provider_id = _acting_org_id(request, Organisation.Kind.PROVIDER)
    day = parse_day(request.GET.get("day"), field="day") or timezone.localdate()
    sessions = list(selectors.lab_today(actor=request.user, provider_id=provider_id or 0, day=day))
    return render(
        request,
        "frontend/bookings/today.html",
        {
            "sessions": sessions,
            "day": day,
            "prev": day - dt.timedelta(days=1),
            "next": day + dt.timedelta(days=1),
            "now": timezone.now(),
            "to_check_in": sum(1 for b in sessions if b.status == B.APPROVED),
            "to_check_out": sum(1 for b in sessions if b.status == B.CHECKED_IN),
        },
    )


@login_required
def lab_approvals(request):
    provider_id = _acting_org_id(request, Organisation.Kind.PROVIDER) or 0
    if request.method == "POST":
        ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
        if not ids:
            messages.warning(request, _("Tick the bookings to approve first: none was selected."))
            return redirect("frontend:lab-approvals")
        found = list(
            selectors.approvals_queue(actor=request.user, provider_id=provider_id).filter(
                pk__in=ids
            )
        )
        result = services.bookings_bulk_approve(actor=request.user, bookings=found)
        if result["approved"]:
            messages.success(
                request, _("%(n)s booking(s) approved.") % {"n": len(result["approved"])}
            )
        failed = len(ids) - len(result["approved"])
        if failed:
            messages.warning(
                request,
                _("%(n)s could not be approved: moved meanwhile, or not in your queue.")
                % {"n": failed},
            )
        return redirect("frontend:lab-approvals")
    queue = selectors.approvals_queue(actor=request.user, provider_id=provider_id)
    page = Paginator(queue, 50).get_page(request.GET.get("page"))
    payments = payments_of("booking", page.object_list)
    for booking in page.object_list:
        booking.payment = payments[booking.pk]
    return render(request, "frontend/bookings/approvals.html", {"page": page})


@login_required
def instrument_calendar(request, pk: int):
    try:
        instrument = selectors.managed_instrument_get(actor=request.user, pk=pk)
    except NotFound as exc:
        raise Http404 from exc
    bookings = []

    def busy_in_week(start, end):
        bookings.extend(selectors.week_bookings(instrument=instrument, start=start, end=end))
        return [(b.start_at, b.end_at) for b in bookings]

    context = _week_context(request, instrument, busy_in_week)
    context["bookings"] = bookings
    token = feeds.feed_token_get_or_create(user=request.user, instrument=instrument)
    context["feed_url"] = site_link(reverse("frontend:booking-feed", args=[token.token]))
    context["manager_view"] = True
    if request.htmx:
        return render(request, "frontend/bookings/_week.html", context)
    return render(request, "frontend/bookings/instrument_calendar.html", context)


@login_required
def notification_list(request):
    if request.method == "POST":
        mark_read(request.user)
        return redirect("frontend:notifications")
    qs = selectors.notification_list(actor=request.user)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "frontend/bookings/notifications.html", {"page": page})


@login_required
@require_POST
def feed_reset(request):
    instrument = None
    if request.POST.get("instrument"):
        try:
            instrument = selectors.managed_instrument_get(
                actor=request.user, pk=int(request.POST["instrument"])
            )
        except (NotFound, ValueError) as exc:
            raise Http404 from exc
    feeds.feed_token_reset(user=request.user, instrument=instrument)
    messages.success(request, _("A new feed address was made; the old one no longer works."))
    return redirect(next_or(request, reverse("frontend:my-bookings")))


def feed(request, token: str):
    """The iCal feed; the token in the URL is the only credential (calendar apps have no login)."""
    feed_token = get_object_or_404(
        FeedToken.objects.select_related("instrument", "user"), token=token
    )
    if feed_token.instrument_id and not Scope.for_user(feed_token.user).can_manage_provider(
        feed_token.instrument.provider_id
    ):
        raise Http404  # no longer a manager of this instrument: the feed goes dark
    name = str(feed_token.instrument) if feed_token.instrument_id else _("My LabShare bookings")
    body = feeds.feed_ics(
        name,
        feeds.feed_bookings(feed_token),
        blackouts=feeds.feed_blackouts(feed_token),
        for_managers=bool(feed_token.instrument_id),
    )
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")
