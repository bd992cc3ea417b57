"""Finance downloads for the claim pages: claims and lines as CSV/XLSX, audit packs (ZIP)
per claim or per sampled use, and the department's list of red-flagged lines. The files
come from vouchers.exports and vouchers.audit_pack, the same the API answers."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from accounts.models import Organisation
from config.errors import NotFound
from frontend.views.claims import _acting, _claim_or_404
from vouchers import exports
from vouchers.api_claims import pack_response
from vouchers.audit_pack import claim_pack, record_pack
from vouchers.flags import CODES, flag_label, with_texts
from vouchers.models import Claim, ClaimLine
from vouchers.selectors import audits as audit_selectors
from vouchers.selectors import claims as selectors

FLAGGED_PER_PAGE = 50


def _format(fmt: str) -> str:
    if fmt not in exports.FORMATS:
        raise Http404
    return fmt


@login_required
def lab_claims_export(request, fmt):
    provider = _acting(request, Organisation.Kind.PROVIDER)
    if provider is None:
        raise Http404
    claims = selectors.claim_list(request.user, provider_id=provider.pk)
    return exports.claims_export(claims, fmt=_format(fmt))


@login_required
def dept_claims_export(request, fmt):
    department = _acting(request, Organisation.Kind.DEPARTMENT)
    if department is None:
        raise Http404
    status = request.GET.get("status") or None
    claims = selectors.claim_list(request.user, issuer_id=department.pk,
                                  status=status if status in Claim.Status.values else None)  # fmt: skip
    return exports.claims_export(claims, fmt=_format(fmt))


@login_required
def claim_lines_export(request, pk, fmt):
    claim = _claim_or_404(request, pk)
    state = request.GET.get("state") or None
    lines = selectors.claim_lines(claim, state=state if state in ClaimLine.State.values else None,
                                  flagged=request.GET.get("flagged") == "1")  # fmt: skip
    return exports.lines_export(claim, lines, fmt=_format(fmt))


@login_required
def claim_audit_pack(request, pk):
    claim = _claim_or_404(request, pk)
    return pack_response(claim_pack(claim), f"claim-{claim.number}.zip")


@login_required
def audit_record_pack(request, pk, record_pk):
    try:
        sample = audit_selectors.audit_sample_get(request.user, pk)
    except NotFound as exc:
        raise Http404 from exc
    record = audit_selectors.audit_records(sample).filter(pk=record_pk).first()
    if record is None:
        raise Http404
    return pack_response(record_pack(record), f"audit-{sample.pk}-{record.pk}.zip")


@login_required
def dept_flagged_lines(request):
    """Every red-flagged line of the claims sent to the department, newest claim first."""
    department = _acting(request, Organisation.Kind.DEPARTMENT)
    if department is None:
        raise Http404
    code = request.GET.get("code") or None
    if code not in CODES:
        code = None
    # The page shows the claim, its provider and the firm: fewer joins to plan and build.
    lines = selectors.flagged_lines(request.user, issuer_id=department.pk, code=code)
    lines = lines.select_related(None).select_related("claim__provider", "firm")
    page = selectors.IdsFirstPaginator(lines, FLAGGED_PER_PAGE).get_page(request.GET.get("page"))
    for line in page.object_list:
        line.flag_texts = with_texts(line.flags)
    context = {"department": department, "page": page, "code": code,
               "codes": [(c, flag_label(c)) for c in CODES]}  # fmt: skip
    return render(request, "frontend/claims/flagged.html", context)
