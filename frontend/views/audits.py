"""Audit sample pages for the issuing department: draw a sample, check each sampled use.
Thin: selectors read, vouchers.services.audits writes."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accounts.models import Organisation
from config.errors import DomainError, Invalid, NotFound
from frontend.forms.audits import AuditResultForm, DrawForm
from frontend.views.claims import _acting
from vouchers.selectors import audits as selectors
from vouchers.services import audits as services

RECORDS_PER_PAGE = 50


def _department(request) -> Organisation:
    department = _acting(request, Organisation.Kind.DEPARTMENT)
    if department is None:
        raise Http404
    return department


@login_required
def audit_list(request, form=None, status=200):
    department = _department(request)
    year = timezone.localdate().year
    initial = {"period_start": timezone.localdate().replace(month=1, day=1),
               "period_end": timezone.localdate(), "rate_percent": 5}  # fmt: skip
    context = {"department": department, "year": year,
               "samples": selectors.audit_sample_list(request.user, issuer_id=department.pk)[:100],
               "form": form or DrawForm(initial=initial)}  # fmt: skip
    return render(request, "frontend/audits/list.html", context, status=status)


@login_required
@require_POST
def audit_draw(request):
    department = _department(request)
    form = DrawForm(request.POST)
    try:
        if not form.is_valid():
            raise Invalid(_("Please correct the form."), fields=form.errors)
        d = form.cleaned_data
        sample = services.audit_sample_draw(
            actor=request.user, issuer_id=department.pk, period_start=d["period_start"],
            period_end=d["period_end"], rate_bp=form.rate_bp(), seed=d.get("seed"),
        )  # fmt: skip
    except DomainError as exc:
        form.add_error(None, exc.message)
        return audit_list(request, form=form, status=409 if exc.kind == "conflict" else 400)
    messages.success(request, _("Sample drawn: %(n)d uses to check.") % {"n": sample.size})
    return redirect("frontend:audit-detail", pk=sample.pk)


def _sample_or_404(request, pk):
    try:
        return selectors.audit_sample_get(request.user, pk)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc


def _detail_context(request, sample) -> dict:
    records = Paginator(selectors.audit_records(sample), RECORDS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return {"sample": sample, "records": records, "rate_percent": sample.rate_bp / 100}


@login_required
def audit_detail(request, pk):
    sample = _sample_or_404(request, pk)
    return render(request, "frontend/audits/detail.html", _detail_context(request, sample))


@login_required
@require_POST
def audit_record(request, pk, record_pk):
    sample = _sample_or_404(request, pk)
    if not sample.records.filter(pk=record_pk).exists():
        raise Http404
    form = AuditResultForm(request.POST)
    try:
        if not form.is_valid():
            raise Invalid(_("Please correct the form."), fields=form.errors)
        d = form.cleaned_data
        services.audit_record_result(
            actor=request.user, record_id=record_pk, result=d["result"], note=d["note"],
            reverse_fen=form.reverse_fen(), block_firm=d["block_firm"], block_provider=d["block_provider"],
        )  # fmt: skip
    except DomainError as exc:
        context = _detail_context(request, sample) | {
            "action_error": exc.message,
            "error_record": record_pk,
        }
        status = {"conflict": 409, "forbidden": 403, "not_found": 404}.get(exc.kind, 400)
        return render(request, "frontend/audits/detail.html", context, status=status)
    messages.success(request, _("Check recorded."))
    return redirect("frontend:audit-detail", pk=sample.pk)
