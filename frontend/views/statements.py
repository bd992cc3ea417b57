"""Statement pages: the firm's statements in one place (by provider and month), the lab's
statements sent with "issue now" and the invoice requests waiting, one statement page for
both sides (lines, totals, PDF and Excel, invoice request and its handling).
Thin: selectors read, statements services write, domain errors are shown on the page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accounts.models import Organisation
from accounts.scoping import scope_of
from config.errors import DomainError, Invalid, NotFound
from frontend.forms.statements import InvoiceIssueForm, InvoiceRequestForm, IssueForm, ReasonForm
from frontend.http import error_status
from statements import invoices, selectors, services
from statements.api import statement_file
from statements.documents import use_text
from statements.models import InvoiceRequest, Statement

PER_PAGE = 50


def _acting(request, kind: str) -> Organisation | None:
    """The organisation of that kind the user acts for: the chosen hat, else their first."""
    acting = request.acting
    if acting and acting.organisation.kind == kind:
        return acting.organisation
    scope = scope_of(request)
    ids = scope.firm_ids if kind == Organisation.Kind.FIRM else scope.provider_ids
    return Organisation.objects.filter(pk__in=ids).order_by("name").first()


def _statement_or_404(request, pk) -> Statement:
    try:
        return selectors.statement_get(actor=request.user, statement_id=pk)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc


def _int(value) -> int | None:
    return int(value) if value and str(value).isdigit() else None


@login_required
def firm_statements(request):
    firm = _acting(request, Organisation.Kind.FIRM)
    if firm is None:
        raise Http404
    provider_id = _int(request.GET.get("provider"))
    base = selectors.statement_list(actor=request.user, firm_id=firm.pk)
    providers = Organisation.objects.filter(
        pk__in=base.values("provider_id")).order_by("name")  # fmt: skip
    rows = base.filter(provider_id=provider_id) if provider_id else base
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    context = {"firm": firm, "page": page, "providers": providers, "provider_id": provider_id}
    return render(request, "frontend/statements/firm_list.html", context)


def _lab_context(request, provider: Organisation, form=None) -> dict:
    rows = selectors.statement_list(actor=request.user, provider_id=provider.pk)
    firms = selectors.provider_clients(provider_id=provider.pk)
    return {
        "provider": provider,
        "page": Paginator(rows, PER_PAGE).get_page(request.GET.get("page")),
        "queue": list(selectors.invoice_queue(actor=request.user, provider_id=provider.pk)[:100]),
        "form": form or IssueForm(firms=firms),
    }


@login_required
def lab_statements(request):
    provider = _acting(request, Organisation.Kind.PROVIDER)
    if provider is None:
        raise Http404
    return render(request, "frontend/statements/lab_list.html", _lab_context(request, provider))


@login_required
@require_POST
def lab_statement_issue(request):
    provider = _acting(request, Organisation.Kind.PROVIDER)
    if provider is None:
        raise Http404
    form = IssueForm(request.POST, firms=selectors.provider_clients(provider_id=provider.pk))
    try:
        if not form.is_valid():
            raise Invalid(_("Please correct the form."), fields=form.errors)
        statement = services.statement_issue(
            actor=request.user, provider_id=provider.pk, firm_id=form.cleaned_data["firm"].pk,
            month=form.cleaned_data["month"],
        )  # fmt: skip
    except DomainError as exc:
        form.add_error(None, exc.message)
        context = _lab_context(request, provider, form=form)
        return render(request, "frontend/statements/lab_list.html", context,
                      status=error_status(exc))  # fmt: skip
    messages.success(request, _("Statement %(number)s issued; the firm has been told.")
                     % {"number": statement.number})  # fmt: skip
    return redirect("frontend:statement-detail", pk=statement.pk)


def _last_details(statement: Statement) -> dict:
    """The details of the firm's latest invoice request, to fill the form in again."""
    last = (
        InvoiceRequest.objects.filter(statement__firm_id=statement.firm_id)
        .order_by("-created_at", "-pk")
        .values("title", "tax_number", "address", "bank")
        .first()
    )
    return last or {"title": statement.firm.name}


def _lines(statement: Statement) -> list:
    lines = list(selectors.statement_lines(statement))
    for line in lines:
        line.use = use_text(line)
    return lines


def _detail_context(request, statement: Statement) -> dict:
    scope = scope_of(request)
    requests = selectors.invoice_requests_of(statement)
    live = next((r for r in requests if r.status in InvoiceRequest.LIVE), None)
    return {
        "statement": statement,
        "lines": _lines(statement),
        "is_firm": scope.can_act_for_firm(statement.firm_id),
        "is_provider": scope.can_manage_provider(statement.provider_id),
        "requests": requests,
        "live": live,
        "request_form": InvoiceRequestForm(initial=_last_details(statement)),
        "issue_form": InvoiceIssueForm(),
        "reason_form": ReasonForm(),
    }


@login_required
def statement_detail(request, pk):
    statement = _statement_or_404(request, pk)
    return render(request, "frontend/statements/detail.html", _detail_context(request, statement))


@login_required
def statement_download(request, pk, kind):
    return statement_file(_statement_or_404(request, pk), kind)


def _refused(request, statement, exc: DomainError, *, form_name: str, form) -> object:
    context = _detail_context(request, statement) | {form_name: form, "action_error": exc.message,
                                                     "error_form": form_name}  # fmt: skip
    return render(request, "frontend/statements/detail.html", context, status=error_status(exc))


@login_required
@require_POST
def statement_invoice_request(request, pk):
    statement = _statement_or_404(request, pk)
    form = InvoiceRequestForm(request.POST)
    try:
        if not form.is_valid():
            raise Invalid(_("Please fill in the invoice details."), fields=form.errors)
        invoices.invoice_request_create(actor=request.user, statement_id=statement.pk,
                                        **form.cleaned_data)  # fmt: skip
    except DomainError as exc:
        for name, errors in (exc.fields or {}).items():
            if name in form.fields and name not in form.errors:
                for error in errors:
                    form.add_error(name, str(error))
        return _refused(request, statement, exc, form_name="request_form", form=form)
    messages.success(request, _("Invoice requested; the provider has been told."))
    return redirect("frontend:statement-detail", pk=statement.pk)


INVOICE_ACTIONS = {
    "issue": (InvoiceIssueForm, "issue_form", lambda r, pk, d: invoices.invoice_issue(
        actor=r.user, request_id=pk, invoice_number=d["invoice_number"], reason=d["reason"])),
    "reject": (ReasonForm, "reason_form", lambda r, pk, d: invoices.invoice_reject(
        actor=r.user, request_id=pk, reason=d["reason"])),
    "withdraw": (ReasonForm, "reason_form", lambda r, pk, d: invoices.invoice_withdraw(
        actor=r.user, request_id=pk, reason=d["reason"])),
}  # fmt: skip
DONE = {
    "issue": _("Invoice marked issued; the firm has been told."),
    "reject": _("Invoice request refused; the firm has been told why."),
    "withdraw": _("Invoice request withdrawn."),
}


@login_required
@require_POST
def invoice_act(request, pk, action):
    if action not in INVOICE_ACTIONS:
        raise Http404
    try:
        invoice = invoices.invoice_request_get(actor=request.user, request_id=pk)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    form_class, form_name, call = INVOICE_ACTIONS[action]
    form = form_class(request.POST)
    try:
        if not form.is_valid():
            raise Invalid(_("Please correct the form."), fields=form.errors)
        call(request, invoice.pk, form.cleaned_data)
    except DomainError as exc:
        statement = _statement_or_404(request, invoice.statement_id)
        return _refused(request, statement, exc, form_name=form_name, form=form)
    messages.success(request, DONE[action])
    return redirect("frontend:statement-detail", pk=invoice.statement_id)
