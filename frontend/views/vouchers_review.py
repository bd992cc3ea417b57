"""The science department's voucher pages: programmes (create, edit, publish, pause,
close, and a page with the budget), the quota applications queue. Thin: the services in
vouchers/ decide and explain every refusal; these pages parse, call, and show."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import Organisation
from accounts.scoping import Scope
from config.errors import DomainError, NotFound
from frontend.forms.vouchers import (
    DecisionForm,
    ProgrammeForm,
    programme_initial,
    programme_regions,
)
from frontend.templatetags.voucher_tags import programme_status_label
from frontend.views.bookings import _acting_org_id
from vouchers.models import VoucherApplication
from vouchers.selectors import programmes as selectors
from vouchers.services import applications as application_services
from vouchers.services import programmes as programme_services
from vouchers.services.access import programme_for_review

P_MOVES = {
    "publish": programme_services.programme_publish,
    "pause": programme_services.programme_pause,
    "close": programme_services.programme_close,
}


def _issuer_id(request) -> int:
    """The department the reviewer acts for (the navbar's hat); 404 for anyone else."""
    issuer_id = _acting_org_id(request, Organisation.Kind.DEPARTMENT)
    if issuer_id is None:
        raise Http404
    return issuer_id


def _programme_or_404(request, pk: int):
    """The programme if the actor reviews for its issuer: a firm gets 404, even for a
    published programme it may apply to."""
    try:
        return programme_for_review(request.user, pk)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc


def _regions(request):
    scope = Scope.for_user(request.user)
    return programme_regions(scope.region_prefixes, scope.is_admin)


@login_required
def programme_list(request):
    issuer_id = _issuer_id(request)
    programmes = selectors.programme_list(actor=request.user).filter(issuer_id=issuer_id)
    return render(request, "frontend/vouchers/programme_list.html", {"programmes": programmes})


@login_required
def programme_create(request):
    issuer_id = _issuer_id(request)
    form = ProgrammeForm(request.POST or None, regions=_regions(request), initial=_new_initial())
    if request.method == "POST" and form.is_valid():
        try:
            programme = programme_services.programme_create(
                actor=request.user, issuer_id=issuer_id, region_code=form.cleaned_data["region"],
                kind=form.cleaned_data["kind"], rules=form.rules(), **form.fields_kwargs(),
            )  # fmt: skip
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Programme saved as a draft. Publish it to open it."))
            return redirect("frontend:programme-detail", pk=programme.pk)
    status = 400 if form.errors else 200
    return render(request, "frontend/vouchers/programme_form.html", {"form": form}, status=status)


def _new_initial() -> dict:
    return {
        "tier_1_pct": "50",
        "voucher_valid_days": 90,
        "flag_near_cap_pct": 90,
        "flag_many_orders": 10,
        "flag_short_session_pct": 50,
        "order_kinds": ["booking", "service_request"],
        "firm_sizes": ["small", "micro"],
        "exclude_statutory": True,
        "providers": "all",
    }


@login_required
def programme_edit(request, pk: int):
    programme = _programme_or_404(request, pk)
    form = ProgrammeForm(
        request.POST or None, regions=_regions(request), initial=programme_initial(programme)
    )
    form.fields["kind"].disabled = form.fields["region"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            programme_services.programme_update(
                actor=request.user, programme_id=programme.pk, rules=form.rules(),
                note=form.cleaned_data.get("note", ""), **form.fields_kwargs(),
            )  # fmt: skip
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Programme saved."))
            return redirect("frontend:programme-detail", pk=programme.pk)
    status = 400 if form.errors else 200
    return render(
        request,
        "frontend/vouchers/programme_form.html",
        {"form": form, "programme": programme},
        status=status,
    )


@login_required
def programme_detail(request, pk: int):
    programme = _programme_or_404(request, pk)
    figures = selectors.programme_figures(programme=programme)
    history = list(programme.history.select_related("actor"))
    for change in history:
        change.to_label = programme_status_label(change.to_status)
    return render(
        request,
        "frontend/vouchers/programme_detail.html",
        {
            "programme": programme,
            "budget": [
                (label, figures[key], key.removesuffix("_fen")) for key, label in BUDGET_CARDS
            ],
            "history": history,
            "versions": programme.versions.select_related("created_by").order_by("-number"),
        },
    )


BUDGET_CARDS = (
    ("budget_fen", gettext_lazy("Budget")),
    ("issued_fen", gettext_lazy("Issued to firms")),
    ("held_fen", gettext_lazy("Held by orders")),
    ("captured_fen", gettext_lazy("Paid (captured)")),
    ("left_fen", gettext_lazy("Left to issue")),
)


@login_required
@require_POST
def programme_move(request, pk: int, action: str):
    if action not in P_MOVES:
        raise Http404
    programme = _programme_or_404(request, pk)
    try:
        P_MOVES[action](
            actor=request.user, programme_id=programme.pk, reason=request.POST.get("reason", "")
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Programme status changed."))
    return redirect("frontend:programme-detail", pk=programme.pk)


@login_required
def application_queue(request):
    issuer_id = _issuer_id(request)
    status = request.GET.get("status")
    if status not in VoucherApplication.Status.values:
        status = VoucherApplication.Status.SUBMITTED
    queue = (
        selectors.application_list(actor=request.user)
        .filter(programme__issuer_id=issuer_id, status=status)
        .select_related("applied_by", "decided_by")
        .order_by("applied_at", "pk")  # oldest first: first come, first served
    )
    page = Paginator(queue, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "frontend/vouchers/application_queue.html",
        {
            "page": page,
            "applications": page.object_list,
            "status": status,
            "statuses": VoucherApplication.Status.choices,
        },
    )


@login_required
@require_POST
def application_decide(request, pk: int, outcome: str):
    """Approve (maybe a smaller amount) or reject with a reason; the row re-renders in
    place for htmx, with the refusal in words and the typed values kept."""
    if outcome not in ("approve", "reject"):
        raise Http404
    form = DecisionForm(request.POST)
    error = None
    if not form.is_valid():
        error = " ".join(str(e) for errors in form.errors.values() for e in errors)
    else:
        try:
            if outcome == "approve":
                application_services.application_approve(
                    actor=request.user, application_id=pk, amount_fen=form.cleaned_data["amount"],
                    reason=form.cleaned_data["reason"],
                )  # fmt: skip
            else:
                application_services.application_reject(
                    actor=request.user, application_id=pk, reason=form.cleaned_data["reason"]
                )
        except NotFound as exc:
            raise Http404(str(exc.message)) from exc
        except DomainError as exc:
            error = str(exc.message)
    if request.htmx:
        application = _application_or_404(request, pk)
        context = {"a": application, "error": error, "posted": request.POST}
        return render(request, "frontend/vouchers/_application_row.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Decision recorded."))
    return redirect("frontend:voucher-application-queue")


def _application_or_404(request, pk: int):
    try:
        return selectors.application_get(actor=request.user, pk=pk)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
