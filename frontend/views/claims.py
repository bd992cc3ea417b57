"""Reimbursement claim pages: the provider's list and build form, the department's queue,
one claim page for both sides (lines paginated, invoice, proofs, decisions, payment).
Thin: selectors read, vouchers services write, domain errors are shown on the page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accounts.models import Organisation
from accounts.scoping import scope_of
from config.errors import DomainError, Invalid, NotFound
from frontend.forms.claims import (
    BuildForm,
    DecideForm,
    InvoiceForm,
    PayForm,
    ProofForm,
    ReasonForm,
    last_month,
)
from vouchers.api_claims import file_response
from vouchers.claim_transitions import claim_can_move
from vouchers.flags import with_texts
from vouchers.models import Claim, ClaimLine
from vouchers.selectors import claims as selectors
from vouchers.services import claim_flags
from vouchers.services import claim_review as review
from vouchers.services import claims as services

C = Claim.Status
LINES_PER_PAGE = 50
QUEUE_ORDER = [C.SUBMITTED, C.UNDER_REVIEW, C.APPROVED, C.PARTLY_APPROVED, C.PAID, C.REJECTED]


def _acting(request, kind: str) -> Organisation | None:
    """The organisation of that kind the user acts for: the chosen hat, else their first."""
    acting = request.acting
    if acting and acting.organisation.kind == kind:
        return acting.organisation
    scope = scope_of(request)
    ids = scope.provider_ids if kind == Organisation.Kind.PROVIDER else scope.department_ids
    return Organisation.objects.filter(pk__in=ids).order_by("name").first()


def _claim_or_404(request, pk) -> Claim:
    try:
        return selectors.claim_get(request.user, pk)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc


@login_required
def lab_claims(request, form=None, status=200):
    provider = _acting(request, Organisation.Kind.PROVIDER)
    if provider is None:
        raise Http404
    start, end = last_month()
    claims = selectors.claim_list(request.user, provider_id=provider.pk)[:200]
    context = {"provider": provider, "claims": claims,
               "form": form or BuildForm(initial={"period_start": start, "period_end": end})}  # fmt: skip
    return render(request, "frontend/claims/lab_list.html", context, status=status)


@login_required
@require_POST
def claim_build(request):
    provider = _acting(request, Organisation.Kind.PROVIDER)
    if provider is None:
        raise Http404
    form = BuildForm(request.POST)
    try:
        if not form.is_valid():
            raise Invalid(_("Please correct the form."), fields=form.errors)
        claims = services.claim_build(actor=request.user, provider_id=provider.pk,
                                      **form.cleaned_data)  # fmt: skip
    except DomainError as exc:
        form.add_error(None, exc.message)
        return lab_claims(request, form=form, status=409 if exc.kind == "conflict" else 400)
    messages.success(
        request, _("%(n)d claim(s) drafted, one per issuing department.") % {"n": len(claims)}
    )
    if len(claims) == 1:
        return redirect("frontend:claim-detail", pk=claims[0].pk)
    return redirect("frontend:lab-claims")


@login_required
def dept_claims(request):
    department = _acting(request, Organisation.Kind.DEPARTMENT)
    if department is None:
        raise Http404
    status = request.GET.get("status") or None
    if status not in C.values:
        status = None
    rows = list(selectors.claim_list(request.user, issuer_id=department.pk, status=status)[:500])
    rows.sort(key=lambda c: QUEUE_ORDER.index(c.status) if c.status in QUEUE_ORDER else 99)
    context = {"department": department, "claims": rows, "status": status,
               "statuses": [(s, C(s).label) for s in QUEUE_ORDER]}  # fmt: skip
    return render(request, "frontend/claims/dept_queue.html", context)


def _sides(request, claim: Claim) -> tuple[bool, bool]:
    scope = scope_of(request)
    return (scope.can_manage_provider(claim.provider_id),
            scope.is_admin or claim.issuer_id in scope.department_ids)  # fmt: skip


def _detail_context(request, claim: Claim) -> dict:
    is_provider, is_reviewer = _sides(request, claim)
    state = request.GET.get("state") or None
    if state not in ClaimLine.State.values:
        state = None
    flagged = request.GET.get("flagged") == "1"
    lines = selectors.IdsFirstPaginator(selectors.claim_lines(claim, state=state, flagged=flagged),
                                        LINES_PER_PAGE).get_page(request.GET.get("page"))  # fmt: skip
    for line in lines.object_list:
        line.flag_texts = with_texts(line.flags)
    return {
        "claim": claim, "lines": lines, "state": state, "flagged": flagged, "is_provider": is_provider,
        "is_reviewer": is_reviewer, "is_draft": claim.status == C.DRAFT,
        "in_review": claim.status in review.REVIEWABLE, "can_pay": claim_can_move(claim, C.PAID),
        "proofs": list(claim.proofs.all()), "history": list(selectors.claim_history(claim)),
        "deductions": list(claim.deductions.all()),
        "status_labels": dict(C.choices),
        "invoice_form": InvoiceForm(initial={
            "invoice_number": claim.invoice_number, "invoice_date": claim.invoice_date,
            "invoice_type": claim.invoice_type or Claim.InvoiceType.SPECIAL,
            "invoice_amount": f"{(claim.claimed_fen - claim.deduction_fen) / 100:.2f}",
        }),
        "proof_form": ProofForm(), "reason_form": ReasonForm(), "pay_form": PayForm(),
    }  # fmt: skip


@login_required
def claim_detail(request, pk):
    claim = _claim_or_404(request, pk)
    if _sides(request, claim)[1]:
        # A reviewer opening the claim sees flags of today's facts (one probe when fresh).
        claim_flags.claim_flags_refresh_if_stale(claim)
    return render(request, "frontend/claims/detail.html", _detail_context(request, claim))


def _lines_posted(request) -> list[int]:
    return [int(v) for v in request.POST.getlist("lines") if v.isdigit()]


ACTIONS = {
    "invoice": (InvoiceForm, lambda r, c, f: services.claim_invoice_set(
        actor=r.user, claim_id=c.pk, number=f.cleaned_data["invoice_number"],
        date=f.cleaned_data["invoice_date"], amount_fen=f.amount_fen(),
        invoice_type=f.cleaned_data["invoice_type"], file=f.cleaned_data.get("invoice_file"))),
    "proof": (ProofForm, lambda r, c, f: services.claim_proof_add(
        actor=r.user, claim_id=c.pk, file=f.cleaned_data["file"], line_id=f.cleaned_data["line"])),
    "submit": (ReasonForm, lambda r, c, f: services.claim_submit(actor=r.user, claim_id=c.pk)),
    "decide": (DecideForm, lambda r, c, f: review.claim_lines_decide(
        actor=r.user, claim_id=c.pk, line_ids=_lines_posted(r),
        approve=f.cleaned_data["decision"] == "approve", reason=f.cleaned_data["reason"])),
    "approve": (ReasonForm, lambda r, c, f: review.claim_approve(
        actor=r.user, claim_id=c.pk, reason=f.cleaned_data["reason"])),
    "reject": (ReasonForm, lambda r, c, f: review.claim_reject(
        actor=r.user, claim_id=c.pk, reason=f.cleaned_data["reason"])),
    "pay": (PayForm, lambda r, c, f: review.claim_pay(
        actor=r.user, claim_id=c.pk, paid_on=f.cleaned_data["paid_on"],
        payment_reference=f.cleaned_data["payment_reference"])),
}  # fmt: skip
DONE = {
    "invoice": _("Invoice recorded."),
    "proof": _("Proof uploaded."),
    "submit": _("Claim submitted to the issuing department."),
    "decide": _("Lines decided."),
    "approve": _("Claim decided."),
    "reject": _("Claim rejected; its amounts can be claimed again."),
    "pay": _("Payment recorded."),
}


@login_required
@require_POST
def claim_act(request, pk, action):
    """One change from a form; on refusal the page shows why, with the input kept."""
    if action not in ACTIONS:
        raise Http404
    claim = _claim_or_404(request, pk)
    form_class, call = ACTIONS[action]
    form = form_class(request.POST, request.FILES)
    try:
        if not form.is_valid():
            raise Invalid(_("Please correct the form."), fields=form.errors)
        call(request, claim, form)
    except DomainError as exc:
        context = _detail_context(request, _claim_or_404(request, pk)) | {
            "action_error": exc.message, "error_action": action, "posted": request.POST,
        }  # fmt: skip
        context[f"{action}_form"] = form
        status = {"conflict": 409, "forbidden": 403, "not_found": 404}.get(exc.kind, 400)
        return render(request, "frontend/claims/detail.html", context, status=status)
    messages.success(request, DONE[action])
    return redirect("frontend:claim-detail", pk=claim.pk)


@login_required
def claim_invoice_file(request, pk):
    claim = _claim_or_404(request, pk)
    return file_response(claim.invoice_file, claim.invoice_file_name or "invoice")


@login_required
def claim_proof_file(request, pk, proof_pk):
    claim = _claim_or_404(request, pk)
    proof = claim.proofs.filter(pk=proof_pk).first()
    if proof is None:
        raise Http404
    return file_response(proof.file, proof.file_name)
