"""The firm's voucher pages: the wallet (each voucher's balances, rules in plain words and
ledger timeline, the last loaded when opened), one voucher's page, and applying for quota
under an open programme.
Every amount shown is read from the voucher rows and their ledger (vouchers.selectors)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation
from config.errors import DomainError, NotFound
from frontend.forms.vouchers import ApplicationForm
from frontend.views.bookings import _acting_org_id
from vouchers.models import LedgerEntry, Programme
from vouchers.selectors import programmes as selectors
from vouchers.services import applications as application_services

WALLET_PAGE_SIZE = 10
WALLET_TIMELINE = 10  # movements of each voucher on the wallet; all on its page
ORDER_PAGES = {
    "booking": "frontend:booking-detail",
    "service_request": "frontend:service-request-detail",
}


def _firm_id(request) -> int | None:
    return _acting_org_id(request, Organisation.Kind.FIRM)


def _order_url(entry: LedgerEntry) -> str | None:
    name = ORDER_PAGES.get(entry.order_kind)
    return reverse(name, args=[entry.order_id]) if name and entry.order_id else None


def _open_programmes(request):
    """Published programmes taking applications today (the service decides the rest)."""
    today = timezone.localdate()
    return (
        selectors.programme_list(actor=request.user)
        .filter(status=Programme.Status.PUBLISHED, valid_to__gte=today)
        .filter(Q(applications_open_on__isnull=True) | Q(applications_open_on__lte=today))
        .filter(Q(applications_close_on__isnull=True) | Q(applications_close_on__gte=today))
        .order_by("valid_to", "pk")
    )


@login_required
def wallet(request):
    firm_id = _firm_id(request)
    if firm_id is None:
        return render(request, "frontend/vouchers/wallet.html", {"no_firm": True})
    vouchers = selectors.voucher_list(actor=request.user, firm_id=firm_id).order_by(
        "-expires_at", "-pk"
    )
    page = Paginator(vouchers, WALLET_PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    for voucher in page.object_list:
        voucher.expired_now = voucher.is_expired(now)
    applications = (
        selectors.application_list(actor=request.user)
        .filter(firm_id=firm_id)
        .order_by("-applied_at", "-pk")[:20]
    )
    return render(
        request,
        "frontend/vouchers/wallet.html",
        {
            "page": page,
            "vouchers": page.object_list,
            "applications": applications,
            "programmes": _open_programmes(request),
        },
    )


@login_required
def voucher_timeline(request, pk: int):
    """One wallet card's ledger, loaded when the firm opens it: the latest movements and
    a link to the voucher's page, which has them all."""
    if not request.htmx:
        return redirect("frontend:voucher-detail", pk=pk)
    try:
        voucher = selectors.voucher_get(actor=request.user, pk=pk)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    voucher.entries = selectors.ledger_timelines([voucher], latest=WALLET_TIMELINE)[voucher.pk]
    for entry in voucher.entries:
        entry.order_url = _order_url(entry)
    voucher.entries_total = voucher.entries[0].in_ledger if voucher.entries else 0
    return render(request, "frontend/vouchers/_ledger_timeline.html", {"voucher": voucher})


@login_required
def voucher_detail(request, pk: int):
    try:
        voucher = selectors.voucher_get(actor=request.user, pk=pk)
        entries = list(selectors.ledger_list(actor=request.user, voucher_id=pk))
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    for entry in entries:
        entry.order_url = _order_url(entry)
        entry.actor_name = entry.actor.display_name if entry.actor else ""
    voucher.entries = entries
    voucher.entries_total = len(entries)
    voucher.expired_now = voucher.is_expired()
    return render(request, "frontend/vouchers/voucher_detail.html", {"voucher": voucher})


@login_required
def apply(request, programme_pk: int):
    try:
        programme = selectors.programme_get(actor=request.user, pk=programme_pk)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    firm_id = _firm_id(request)
    form = ApplicationForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if firm_id is None:
            form.add_error(
                None, _("Vouchers are applied for by a firm: switch to your firm first.")
            )
        elif form.is_valid():
            try:
                application_services.application_submit(
                    actor=request.user, programme_id=programme.pk, firm_id=firm_id,
                    amount_fen=form.cleaned_data["amount"], purpose=form.cleaned_data["purpose"],
                )  # fmt: skip
            except DomainError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("Application sent. The department reviews it."))
                return redirect("frontend:voucher-wallet")
        status = 400 if form.errors else 200
    context = {"programme": programme, "form": form, "no_firm": firm_id is None}
    return render(request, "frontend/vouchers/apply.html", context, status=status)


def _form_error(form: ApplicationForm, exc: DomainError) -> None:
    """The refusal next to the input it is about (amount, purpose), or on top."""
    target = {"amount_fen": "amount", "purpose": "purpose"}
    placed = False
    for name in exc.fields or {}:
        if target.get(name) in form.fields:
            form.add_error(target[name], str(exc.message))
            placed = True
    if not placed:
        form.add_error(None, str(exc.message))
