"""Lab managers' testing-service pages and bulk import/export."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.scoping import Scope
from config.errors import DomainError, NotFound
from facilities import imports, selectors, services
from facilities.imports.columns import COLUMNS
from facilities.models import ImportBatch
from frontend.forms import catalogue as forms
from frontend.views.catalogue.helpers import managed_provider
from frontend.views.catalogue.manage import apply_error


def _provider_or_404(request):
    try:
        return managed_provider(request)
    except NotFound as exc:
        raise Http404 from exc


def _service_or_404(request, pk):
    try:
        return selectors.service_get_for_manage(actor=request.user, pk=pk)
    except NotFound as exc:
        raise Http404 from exc


@login_required
def lab_services(request):
    provider = _provider_or_404(request)
    q = request.GET.get("q", "").strip()[:100]
    rows = selectors.service_list_for_manager(actor=request.user, q=q).filter(provider=provider)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "frontend/catalogue/manage/service_list.html",
                  {"page": page, "provider": provider, "q": q})  # fmt: skip


@login_required
def service_create(request):
    provider = _provider_or_404(request)
    form = forms.ServiceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.service_create(actor=request.user, provider=provider, **form.service_fields())
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Testing service listed."))
            return redirect("frontend:lab-services")
    return render(
        request, "frontend/catalogue/manage/service_form.html", {"form": form, "provider": provider}
    )


@login_required
def service_edit(request, pk: int):
    service = _service_or_404(request, pk)
    form = forms.ServiceForm(request.POST or None, instance=service)
    if request.method == "POST" and form.is_valid():
        try:
            services.service_update(actor=request.user, service=service, **form.service_fields())
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("frontend:lab-services")
    return render(request, "frontend/catalogue/manage/service_form.html",
                  {"form": form, "service": service, "provider": service.provider})  # fmt: skip


@login_required
@require_POST
def service_withdraw(request, pk: int):
    services.service_withdraw(actor=request.user, service=_service_or_404(request, pk))
    messages.success(request, _("The service is withdrawn from the catalogue."))
    return redirect("frontend:lab-services")


@login_required
def import_upload(request):
    provider = _provider_or_404(request)
    form = forms.ImportForm(request.POST or None, request.FILES or None,
                            initial={"kind": request.GET.get("kind", "instruments")})  # fmt: skip
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = imports.import_preview(
                actor=request.user, provider=provider, kind=form.cleaned_data["kind"],
                filename=upload.name, content=upload.read(5 * 1024 * 1024 + 1),
            )  # fmt: skip
        except DomainError as exc:
            apply_error(form, exc)
        else:
            return redirect("frontend:lab-import-preview", batch.pk)
    return render(
        request, "frontend/catalogue/manage/import.html", {"form": form, "provider": provider}
    )


def _batch_or_404(request, pk) -> ImportBatch:
    batch = (
        ImportBatch.objects.filter(pk=pk, created_by=request.user)
        .select_related("provider")
        .first()
    )
    if batch is None or not Scope.for_user(request.user).can_manage_provider(batch.provider_id):
        raise Http404
    return batch


@login_required
def import_preview(request, pk: int):
    batch = _batch_or_404(request, pk)
    columns = COLUMNS[batch.kind]
    # Every column the file has (a blank one still takes a value: the default), and any
    # column an error names.
    used = [c for c in columns if any(c.key in r.get("shown", r["values"]) or c.key in r["errors"]
                                      for r in batch.rows)]  # fmt: skip
    keys = {c.key for c in used}
    rows = [
        {
            **r,
            "cells": [
                (r.get("shown", r["values"]).get(c.key, ""), r["errors"].get(c.key),
                 r.get("resolved", {}).get(c.key, ""))
                for c in used
            ],
            "other_errors": {k: v for k, v in r["errors"].items() if k not in keys},
        }
        for r in batch.rows
    ]  # fmt: skip
    examples = sum(1 for r in batch.rows if r.get("action") == "example")
    good = sum(1 for r in batch.rows if not r["errors"] and r.get("action") != "example")
    no_hours = sum(1 for r in batch.rows if r.get("warnings") and not r["errors"])
    return render(request, "frontend/catalogue/manage/import_preview.html", {
        "batch": batch, "columns": used, "rows": rows, "good": good, "examples": examples,
        "bad": len(batch.rows) - good - examples, "no_hours": no_hours,
    })  # fmt: skip


@login_required
@require_POST
def import_confirm(request, pk: int):
    batch = _batch_or_404(request, pk)
    try:
        saved = imports.import_confirm(actor=request.user, batch=batch)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("frontend:lab-import-preview", pk)
    messages.success(request, _("%(n)s rows saved to the catalogue.") % {"n": saved})
    return redirect(
        "frontend:lab-instruments" if batch.kind == "instruments" else "frontend:lab-services"
    )


def _file(data, kind: str, fmt: str, stem: str) -> HttpResponse:
    if fmt not in imports.CONTENT_TYPES or kind not in COLUMNS:
        raise Http404
    response = HttpResponse(imports.render(data, fmt), content_type=imports.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    return response


@login_required
def import_template(request, kind: str, fmt: str):
    _provider_or_404(request)
    if kind not in COLUMNS:
        raise Http404
    return _file(imports.template_book(kind), kind, fmt, f"labshare-{kind}-template")


@login_required
def export(request, kind: str, fmt: str):
    provider = _provider_or_404(request)
    if kind not in COLUMNS:
        raise Http404
    stamp = timezone.localdate().isoformat()
    return _file(imports.dataset(kind, [provider.pk]), kind, fmt, f"labshare-{kind}-{stamp}")


@login_required
def category_codes(request):
    """The category codes an import's 分类代码 column takes (also on the template's second
    sheet)."""
    _provider_or_404(request)
    return render(request, "frontend/catalogue/manage/category_codes.html",
                  {"categories": imports.category_rows()})  # fmt: skip
