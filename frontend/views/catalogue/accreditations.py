"""The provider's CMA / CNAS certificates, kept by its own lab managers: each with its
scope and the services that scope covers (so a manager sees what a report may carry)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Accreditation
from config.errors import DomainError, NotFound
from facilities import services
from facilities.accreditation_scope import covering
from facilities.models import TestingService
from frontend.forms import catalogue as forms
from frontend.views.catalogue.helpers import managed_provider
from frontend.views.catalogue.manage import apply_error


def _provider(request):
    try:
        return managed_provider(request)
    except NotFound as exc:
        raise Http404 from exc


def _covered(provider, certificates) -> dict[int, list[TestingService]]:
    """{certificate id: the active services its scope covers}; one read of the services."""
    out: dict[int, list[TestingService]] = {c.pk: [] for c in certificates}
    rows = TestingService.objects.filter(provider=provider, is_active=True).only(
        "pk", "name", "standards", "provider_id"
    )
    for service in rows:
        for cover in covering(service, certificates=certificates):
            out[cover.accreditation.pk].append(service)
    return out


@login_required
def lab_accreditations(request):
    provider = _provider(request)
    form = forms.AccreditationForm(request.POST or None, prefix="new")
    if request.method == "POST" and form.is_valid():
        try:
            services.accreditation_create(actor=request.user, provider_id=provider.pk,
                                          **form.cleaned_data)  # fmt: skip
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Certificate added."))
            return redirect("frontend:lab-accreditations")
    certificates = list(Accreditation.objects.filter(provider_id=provider.pk)
                        .order_by("type", "certificate_no"))  # fmt: skip
    covered = _covered(provider, certificates)
    rows = [
        (c, covered[c.pk], forms.AccreditationForm(prefix=f"c{c.pk}", initial={
            "type": c.type, "certificate_no": c.certificate_no, "expires_on": c.expires_on,
            "scope": c.scope}))
        for c in certificates
    ]  # fmt: skip
    return render(request, "frontend/catalogue/manage/accreditations.html", {
        "provider": provider, "form": form, "rows": rows, "today": timezone.localdate(),
    }, status=400 if form.errors else 200)  # fmt: skip


def _own(request, pk: int) -> Accreditation:
    provider = _provider(request)
    cert = Accreditation.objects.filter(pk=pk, provider_id=provider.pk).first()
    if cert is None:
        raise Http404
    return cert


@login_required
@require_POST
def lab_accreditation_update(request, pk: int):
    cert = _own(request, pk)
    form = forms.AccreditationForm(request.POST, prefix=f"c{cert.pk}")
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect("frontend:lab-accreditations")
    try:
        services.accreditation_update(actor=request.user, accreditation=cert,
                                      **form.cleaned_data)  # fmt: skip
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Certificate saved."))
    return redirect("frontend:lab-accreditations")


@login_required
@require_POST
def lab_accreditation_delete(request, pk: int):
    cert = _own(request, pk)
    services.accreditation_delete(actor=request.user, accreditation=cert)
    messages.success(request, _("Certificate removed."))
    return redirect("frontend:lab-accreditations")
