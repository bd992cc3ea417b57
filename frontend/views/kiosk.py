"""Kiosk pages: a firm's one-time code on its booking page, the lab's instrument tokens,
and the full-screen kiosk page a lab manager's tablet shows at an instrument."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.acting import acting_organisation_id
from accounts.models import Organisation
from accounts.scoping import Scope
from booking.selectors import bookings as booking_selectors
from booking.selectors import waitlist as selectors
from booking.services import kiosk as services
from booking.services.kiosk_station import kiosk_station_start, kiosk_station_token
from config.errors import DomainError, Invalid, NotFound
from facilities.models import Instrument
from frontend.forms.waitlist import InstrumentTokenForm, KioskForm
from frontend.http import error_status


@login_required
@require_POST
def kiosk_code(request, pk: int):
    try:
        booking = booking_selectors.booking_get(actor=request.user, pk=pk)
    except NotFound as exc:
        raise Http404 from exc
    try:
        services.kiosk_code_issue(actor=request.user, booking=booking)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your one-time code is ready: show it at the kiosk."))
    return redirect("frontend:booking-detail", pk=booking.pk)


def _managed_instruments(request):
    provider_id = acting_organisation_id(request, kind=Organisation.Kind.PROVIDER)
    if provider_id is None or not Scope.for_user(request.user).can_manage_provider(provider_id):
        raise Http404
    return Instrument.objects.filter(provider_id=provider_id).order_by("name")


@login_required
def token_list(request):
    """The provider's instruments with their tokens; a new token's key is shown once, in
    the answer to the POST that made it."""
    instruments = list(_managed_instruments(request).only("id", "name", "provider_id"))
    form = InstrumentTokenForm(request.POST or None, instruments=instruments)
    created, error, status = None, None, 200
    if request.method == "POST":
        try:
            if not form.is_valid():
                raise Invalid(" ".join(str(e) for errs in form.errors.values() for e in errs))
            instrument = next(i for i in instruments if i.pk == form.cleaned_data["instrument"])
            token, key = services.instrument_token_create(
                actor=request.user, instrument=instrument, name=form.cleaned_data["name"]
            )
            created = {"token": token, "key": key}
            form = InstrumentTokenForm(instruments=instruments)
        except DomainError as exc:
            error, status = exc, error_status(exc)
    tokens = selectors.instrument_token_list(actor=request.user).filter(
        instrument__in=[i.pk for i in instruments]
    )
    context = {"instruments": instruments, "tokens": tokens, "form": form, "created": created,
               "error": error}  # fmt: skip
    return render(request, "frontend/bookings/kiosks.html", context, status=status)


@login_required
@require_POST
def token_revoke(request, pk: int):
    try:
        token = selectors.instrument_token_get(actor=request.user, pk=pk)
    except NotFound as exc:
        raise Http404 from exc
    try:
        services.instrument_token_revoke(actor=request.user, token=token)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("frontend:lab-kiosks")


def _attend(service, actor, instrument, credential: str):
    """One box takes both: a code is the digits from the booking page, anything else is a
    badge; a badge number that looks like a code is tried as a badge when no code fits."""
    value = credential.strip()
    if value.isdigit() and len(value) == services.CODE_DIGITS:
        try:
            return service(actor=actor, instrument=instrument, code=value)
        except NotFound:
            pass
    return service(actor=actor, instrument=instrument, badge=value)


@login_required
def kiosk_page(request, pk: int):
    try:
        instrument = booking_selectors.managed_instrument_get(actor=request.user, pk=pk)
    except NotFound as exc:
        raise Http404 from exc
    form = KioskForm(request.POST or None)
    done, error, status = None, None, 200
    if request.method == "POST":
        service = (services.kiosk_attended_check_out if request.POST.get("action") == "out"
                   else services.kiosk_attended_check_in)  # fmt: skip
        try:
            if not form.is_valid():
                raise Invalid(_("Show your badge or type the code from your booking page."))
            done = _attend(service, request.user, instrument, form.cleaned_data["credential"])
            form = KioskForm()
        except DomainError as exc:
            error, status = exc, error_status(exc)
    context = {"instrument": instrument, "form": form, "done": done, "error": error,
               "state": services.kiosk_now(instrument=instrument)}  # fmt: skip
    return render(request, "frontend/bookings/kiosk.html", context, status=status)


STATION_COOKIE = "labshare_kiosk"
STATION_DAYS = 400


@login_required
@require_POST
def kiosk_start(request, pk: int):
    """Turn this device into the instrument's kiosk: a new token, its signed credential in
    a cookie that only the kiosk page of this instrument receives, and the manager signed
    out of the device (a tablet left at an instrument must not stay signed in)."""
    try:
        instrument = booking_selectors.managed_instrument_get(actor=request.user, pk=pk)
    except NotFound as exc:
        raise Http404 from exc
    _token, credential = kiosk_station_start(actor=request.user, instrument=instrument)
    logout(request)
    response = redirect("frontend:kiosk-station", pk=instrument.pk)
    response.set_cookie(
        STATION_COOKIE, credential, max_age=STATION_DAYS * 86400,
        path=reverse("frontend:kiosk-station", args=[instrument.pk]), httponly=True,
        samesite="Strict", secure=settings.SESSION_COOKIE_SECURE,
    )  # fmt: skip
    return response


def _station(service, token, credential: str):
    """As ``_attend``, with the token's own services: the person shown is the actor."""
    value = credential.strip()
    if value.isdigit() and len(value) == services.CODE_DIGITS:
        try:
            return service(token=token, code=value)
        except NotFound:
            pass
    return service(token=token, badge=value)


def kiosk_station(request, pk: int):
    """The kiosk page run by the station credential alone (no sign-in): 403 without a
    valid one (never started here, tampered, or its token revoked)."""
    token = kiosk_station_token(credential=request.COOKIES.get(STATION_COOKIE, ""),
                                instrument_id=pk)  # fmt: skip
    if token is None:
        response = render(request, "frontend/bookings/kiosk_closed.html", status=403)
        response.delete_cookie(STATION_COOKIE, path=request.path)
        return response
    form = KioskForm(request.POST or None)
    done, error, status = None, None, 200
    if request.method == "POST":
        service = (services.kiosk_check_out if request.POST.get("action") == "out"
                   else services.kiosk_check_in)  # fmt: skip
        try:
            if not form.is_valid():
                raise Invalid(_("Show your badge or type the code from your booking page."))
            done = _station(service, token, form.cleaned_data["credential"])
            form = KioskForm()
        except DomainError as exc:
            error, status = exc, error_status(exc)
    context = {"instrument": token.instrument, "form": form, "done": done, "error": error,
               "state": services.kiosk_now(instrument=token.instrument), "station": True}  # fmt: skip
    return render(request, "frontend/bookings/kiosk.html", context, status=status)
