"""Pages for testing requests: order form with live quote, the firm's list, the detail
with its timeline and report, the lab's queue. Thin: selectors read, services write."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from accounts.acting import acting_organisation
from accounts.models import Organisation
from accounts.scoping import scope_of
from booking.api.service_requests import report_response
from booking.models import ServiceRequest
from booking.reports import storage
from booking.selectors import service_requests as selectors
from booking.services import service_requests as services
from booking.transitions import can_move
from config.errors import DomainError, Invalid, NotFound
from config.idempotency import PAGE_FIELD, page_key, page_once
from facilities.accreditation_scope import marks_allowed
from frontend.forms.service_requests import OrderForm, ReasonForm, ReceiveForm, ReportForm
from frontend.http import error_status
from frontend.views.vouchers_pay import chosen_voucher_ids, payment_of, payments_of, voucher_context

S = ServiceRequest.Status


def _get_or_404(request, pk) -> ServiceRequest:
    try:
        return selectors.service_request_get(scope=scope_of(request), pk=pk)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc


def _acting_firm(request) -> Organisation | None:
    """The firm the page acts for (accounts.acting); an ambiguous hat raises, and
    frontend.middleware answers with the chooser."""
    return acting_organisation(request, kind=Organisation.Kind.FIRM)


def _acting_provider_ids(request) -> set[int]:
    provider = acting_organisation(request, kind=Organisation.Kind.PROVIDER)
    return {provider.pk} if provider else set()


@login_required
def my_requests(request):
    firm = _acting_firm(request)
    status = request.GET.get("status") or None
    if status not in S.values:
        status = None
    rows = (
        selectors.service_request_list(
            scope=scope_of(request), firm_ids=[firm.pk], status=status
        ).order_by("-created_at", "-pk")[:100]
        if firm
        else []
    )
    rows = _with_payments(list(rows))
    return render(
        request,
        "frontend/service_requests/my_list.html",
        {"firm": firm, "rows": rows, "status": status, "statuses": S.choices},
    )


def _with_payments(orders: list[ServiceRequest]) -> list[ServiceRequest]:
    """Each request's payment (voucher part, firm part) for the page, in one query."""
    payments = payments_of("service_request", orders)
    for sr in orders:
        sr.payment = payments[sr.pk]
    return orders


def _service_or_404(pk):
    try:
        return selectors.orderable_service_get(pk=pk)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc


def _quote_context(request, service, sample_count) -> dict:
    """The price for the number of samples and, for a firm, what its vouchers would pay."""
    try:
        quote = selectors.service_quote(service=service, sample_count=sample_count)
    except DomainError as exc:
        return {"quote_error": exc.message}
    firm = _acting_firm(request)
    return {"quote": quote} | voucher_context(
        actor=request.user, firm_id=firm.pk if firm else None, order_kind="service_request",
        item_id=service.pk, fee_fen=quote["quote_fen"],
        chosen=chosen_voucher_ids(request.POST if request.method == "POST" else request.GET),
    )  # fmt: skip


@login_required
def order(request, service_pk):
    service = _service_or_404(service_pk)
    firm = _acting_firm(request)
    form = OrderForm(request.POST or None, request.FILES or None)
    status_code = 200
    # The page's idempotency key: a second POST of the same page finds the first order.
    key = request.POST.get(PAGE_FIELD) if request.method == "POST" else page_key()
    if request.method == "POST" and firm and form.is_valid():
        data = form.cleaned_data

        def place() -> str:
            sr = services.service_request_create(
                actor=request.user,
                firm=firm,
                service=service,
                sample_count=data["sample_count"],
                sample_description=data["sample_description"],
                standards=data["standards"],
                delivery=data["delivery"],
                tracking_number=data["tracking_number"],
                desired_date=data["desired_date"],
                attachments=data["attachments"],
                voucher_ids=chosen_voucher_ids(request.POST),
            )
            return reverse("frontend:service-request-detail", args=[sr.pk])

        try:
            url, replayed = page_once(user=request.user, key=key, place=place)
        except DomainError as exc:
            _form_errors(form, exc)
            status_code = error_status(exc)
        else:
            if replayed:
                messages.info(request, _("This order was sent already; here it is."))
            else:
                messages.success(request, _("Your order was sent to the lab."))
            return redirect(url)
    elif request.method == "POST":
        status_code = 400
    count = form["sample_count"].value() or 1
    context = {
        "service": service,
        "firm": firm,
        "form": form,
        "idempotency_field": PAGE_FIELD,
        "idempotency_key": key or page_key(),
        "accreditation": services.accreditation_mark(service, timezone.localdate()),
        **_quote_context(request, service, count),
    }
    return render(request, "frontend/service_requests/order.html", context, status=status_code)


def _form_errors(form, exc: DomainError) -> None:
    placed = False
    for name, errors in exc.fields.items():
        if name in form.fields:
            for error in errors:
                form.add_error(name, str(error))
            placed = True
    if not placed or not exc.fields:
        form.add_error(None, str(exc.message))


@login_required
@require_GET
def quote(request, service_pk):
    """htmx partial: the price for the typed number of samples."""
    service = _service_or_404(service_pk)
    context = {
        "service": service,
        **_quote_context(request, service, request.GET.get("sample_count")),
    }
    return render(request, "frontend/service_requests/_quote.html", context)


def _actions(request, sr: ServiceRequest) -> set[str]:
    scope = scope_of(request)
    names: set[str] = set()
    if scope.can_manage_provider(sr.service.provider_id):
        for name, to in (
            ("accept", S.ACCEPTED),
            ("reject", S.REJECTED),
            ("start-testing", S.TESTING),
            ("report", S.REPORTED),
            ("receive-samples", S.SAMPLES_RECEIVED),
        ):
            if can_move(sr, to):
                names.add(name)
        if sr.status == S.ACCEPTED:
            names.add("refuse-samples")
    if scope.can_act_for_firm(sr.firm_id):
        if can_move(sr, S.CANCELLED):
            names.add("cancel")
        if can_move(sr, S.COMPLETED):
            names.add("confirm")
    return names


def _detail_context(request, sr: ServiceRequest) -> dict:
    return {
        "sr": sr,
        "history": selectors.service_request_history(sr=sr),
        "attachments": list(sr.attachments.all()),
        "actions": _actions(request, sr),
        "marks_allowed": _marks_allowed(sr),
        "is_manager": scope_of(request).can_manage_provider(sr.service.provider_id),
        "status_labels": dict(S.choices),
        "payment": payment_of("service_request", sr),
    }


def _marks_allowed(sr: ServiceRequest) -> list[tuple[str, str]]:
    """The marks this request's report may carry today, as (value, label) for the report
    form; read only while the report is to be uploaded."""
    if sr.status != S.TESTING:
        return []
    return [(m, m.upper()) for m in marks_allowed(sr.service, timezone.localdate())]


@login_required
def detail(request, pk):
    sr = _get_or_404(request, pk)
    return render(request, "frontend/service_requests/detail.html", _detail_context(request, sr))


ACTIONS = {
    "accept": (
        ReasonForm,
        lambda u, sr, d: services.service_request_accept(actor=u, sr=sr, reason=d["reason"]),
    ),
    "reject": (
        ReasonForm,
        lambda u, sr, d: services.service_request_reject(actor=u, sr=sr, reason=d["reason"]),
    ),
    "receive-samples": (
        ReceiveForm,
        lambda u, sr, d: services.service_request_receive_samples(
            actor=u, sr=sr, condition=d["condition"]
        ),
    ),
    "refuse-samples": (
        ReasonForm,
        lambda u, sr, d: services.service_request_refuse_samples(
            actor=u, sr=sr, reason=d["reason"]
        ),
    ),
    "start-testing": (
        ReasonForm,
        lambda u, sr, d: services.service_request_start_testing(actor=u, sr=sr, reason=d["reason"]),
    ),
    "report": (
        ReportForm,
        lambda u, sr, d: services.service_request_report(
            actor=u,
            sr=sr,
            report_number=d["report_number"],
            report_file=d["report_file"],
            marks=d["marks"],
        ),
    ),
    "confirm": (
        ReasonForm,
        lambda u, sr, d: services.service_request_confirm(actor=u, sr=sr, reason=d["reason"]),
    ),
    "cancel": (
        ReasonForm,
        lambda u, sr, d: services.service_request_cancel(actor=u, sr=sr, reason=d["reason"]),
    ),
}
DONE = {
    "accept": _("Request accepted."),
    "reject": _("Request rejected."),
    "receive-samples": _("Samples recorded as received."),
    "refuse-samples": _("Samples refused; the request is rejected."),
    "start-testing": _("Testing started."),
    "report": _("Report uploaded; the firm has been told."),
    "confirm": _("Thank you: the request is completed."),
    "cancel": _("Request cancelled."),
}


@login_required
@require_POST
def act(request, pk, action):
    """One state change from a button; on refusal the page shows why, input kept."""
    if action not in ACTIONS:
        raise Http404
    sr = _get_or_404(request, pk)
    form_class, call = ACTIONS[action]
    form = form_class(request.POST, request.FILES)
    try:
        if not form.is_valid():
            raise Invalid(_("Please correct the form."), fields=form.errors)
        call(request.user, sr, form.cleaned_data)
    except DomainError as exc:
        sr = _get_or_404(request, pk)
        context = _detail_context(request, sr) | {
            "action_error": exc.message,
            "error_action": action,
            "posted": request.POST,
        }
        status = 409 if exc.kind == "conflict" else 403 if exc.kind == "forbidden" else 400
        return render(request, "frontend/service_requests/detail.html", context, status=status)
    messages.success(request, DONE[action])
    if request.POST.get("back") == "queue":  # a fixed name, never a URL: no open redirect
        return redirect("frontend:lab-service-queue")
    return redirect("frontend:service-request-detail", pk=sr.pk)


@login_required
@require_GET
def report_download(request, pk):
    sr = _get_or_404(request, pk)
    try:
        return report_response(sr)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc


@login_required
@require_GET
def attachment_download(request, pk, attachment_pk):
    from django.http import FileResponse

    sr = _get_or_404(request, pk)
    attachment = sr.attachments.filter(pk=attachment_pk).first()
    if attachment is None:
        raise Http404
    handle = storage().open(attachment.file.name, "rb")
    return FileResponse(handle, as_attachment=True, filename=attachment.name)


@login_required
def lab_queue(request):
    provider_ids = _acting_provider_ids(request)
    if not provider_ids:
        raise Http404
    scope = scope_of(request)
    groups = selectors.service_request_queue(scope=scope, provider_ids=provider_ids)
    _with_payments([sr for rows in groups.values() for sr in rows])
    context = {
        "groups": [(S(state), rows) for state, rows in groups.items()],
        "overdue_count": sum(1 for rows in groups.values() for sr in rows if sr.is_overdue),
        "stats": selectors.turnaround_stats(scope=scope, provider_ids=provider_ids),
    }
    return render(request, "frontend/service_requests/queue.html", context)
