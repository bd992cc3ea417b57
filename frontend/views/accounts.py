"""Accounts pages: landing, home per hat, firm registration, verification queue, tokens, profile.

Thin views: parse with a form, read through accounts.selectors, write through one
accounts.services call, render. Domain errors go back onto the form, input kept.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts import selectors, services
from accounts.acting import acting_choose, acting_organisation_id
from accounts.models import Membership, Organisation
from config.errors import DomainError, NotFound
from config.money import format_fen
from frontend.forms.accounts import (
    ApiTokenForm,
    FirmDecisionForm,
    FirmRegistrationForm,
    FirmResubmitForm,
    ProfileForm,
    add_domain_error,
)

QUEUE_PAGE_SIZE = 25

QUICK_LINKS = {
    Membership.Role.FIRM_MEMBER: [
        ("bi-cpu", gettext_lazy("Book an instrument"), "frontend:instrument-list"),
        ("bi-clipboard2-check", gettext_lazy("Order a test"), "frontend:service-list"),
        ("bi-calendar-check", gettext_lazy("My bookings"), "frontend:my-bookings"),
        ("bi-box-seam", gettext_lazy("My testing requests"), "frontend:my-service-requests"),
    ],
    Membership.Role.LAB_MANAGER: [
        ("bi-calendar-day", gettext_lazy("Today"), "frontend:lab-today"),
        ("bi-check2-square", gettext_lazy("Approvals"), "frontend:lab-approvals"),
        ("bi-box-seam", gettext_lazy("Testing queue"), "frontend:lab-service-queue"),
        ("bi-cpu", gettext_lazy("My instruments"), "frontend:lab-instruments"),
        ("bi-clipboard2-check", gettext_lazy("My services"), "frontend:lab-services"),
    ],
}


def _links(entries) -> list[dict]:
    """Quick links whose pages exist (other areas add theirs over time)."""
    out = []
    for icon, label, name in entries:
        try:
            out.append({"icon": icon, "label": label, "url": reverse(name)})
        except NoReverseMatch:
            continue
    return out


def _or_404(fn, **kwargs):
    try:
        return fn(**kwargs)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc


def landing(request):
    if request.user.is_authenticated:
        return redirect("frontend:home")
    return render(request, "frontend/landing.html")


@login_required
def home(request):
    acting = request.acting
    role = acting.role if acting else None
    context = {"acting": acting, "quick_links": _links(QUICK_LINKS.get(role, []))}
    if role == Membership.Role.FIRM_MEMBER:
        context["firm"] = selectors.firm_get(actor=request.user, firm_id=acting.organisation_id)
    elif role == Membership.Role.REVIEWER:
        context["pending_count"] = selectors.firm_pending_count(actor=request.user)
    return render(request, "frontend/home.html", context)


@login_required
@require_POST
def switch_acting_as(request):
    membership_id = request.POST.get("membership", "")
    if membership_id.isdigit():
        acting_choose(request, membership_id=int(membership_id))
    # The chooser (frontend/acting/choose.html) sends the user back to the page it stood for.
    after = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(
        after, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return redirect(after if after and safe else "frontend:home")


@login_required
def firm_register(request):
    form = FirmRegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            registration = services.firm_register(actor=request.user, **form.service_kwargs())
        except DomainError as error:
            add_domain_error(form, error)
        else:
            membership = request.user.memberships.get(organisation=registration.firm.organisation)
            acting_choose(request, membership_id=membership.pk)
            messages.success(request, _("Your firm is registered and awaits verification."))
            return redirect("frontend:firm-detail")
    return render(request, "frontend/accounts/firm_register.html", {"form": form})


def _registration_initial(firm) -> dict:
    return {
        "name": firm.organisation.name,
        "uscc": firm.uscc,
        "region_code": firm.organisation.region.code if firm.organisation.region else "",
        "industry_code": firm.industry_id,
        "employees": firm.employees,
        "revenue_yuan": format_fen(firm.revenue_fen).removeprefix("¥"),
        "legal_representative": firm.legal_representative,
    }


@login_required
def firm_resubmit(request, pk: int):
    """A rejected firm's administrator corrects the registration and sends it again."""
    firm = _or_404(selectors.firm_get, actor=request.user, firm_id=pk)
    if not selectors.firm_is_administered_by(actor=request.user, firm_id=pk):
        raise Http404
    if firm.verification != firm.Verification.REJECTED:
        messages.info(request, _("Only a rejected registration can be corrected and sent again."))
        return redirect("frontend:firm-show", pk=pk)
    form = FirmResubmitForm(request.POST or None, initial=_registration_initial(firm))
    if request.method == "POST" and form.is_valid():
        try:
            services.firm_resubmit(actor=request.user, firm_id=pk, **form.service_kwargs())
        except NotFound as exc:
            raise Http404(str(exc.message)) from exc
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Your corrected registration is back with the reviewers."))
            return redirect("frontend:firm-show", pk=pk)
    context = {"form": form, "firm": firm, "resubmit": True}
    return render(request, "frontend/accounts/firm_register.html", context)


@login_required
def firm_detail(request):
    """The firm the user acts for (accounts.acting); none yet: register one."""
    firm_id = acting_organisation_id(request, kind=Organisation.Kind.FIRM)
    if firm_id is None:
        return redirect("frontend:firm-register")
    return firm_show(request, pk=firm_id)


@login_required
def firm_show(request, pk: int):
    firm = _or_404(selectors.firm_get, actor=request.user, firm_id=pk)
    can_resubmit = selectors.firm_is_administered_by(actor=request.user, firm_id=pk)
    history = selectors.firm_verification_history(actor=request.user, firm_id=pk)
    context = {"firm": firm, "can_resubmit": can_resubmit, "history": history}
    return render(request, "frontend/accounts/firm_detail.html", context)


@login_required
def firm_verification_queue(request):
    queue = selectors.firm_verification_queue(actor=request.user)
    page = Paginator(queue, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "frontend/accounts/verification_queue.html",
        {"page": page, "firms": page.object_list, "total": page.paginator.count},
    )


@login_required
@require_POST
def firm_decide(request, pk: int, outcome: str):
    form = FirmDecisionForm(request.POST)
    note = form.data.get("note", "")
    decide = services.firm_verify if outcome == "verify" else services.firm_reject
    error = None
    try:
        firm = decide(actor=request.user, firm_id=pk, note=note)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    except DomainError as exc:
        error = str(exc.message)
        firm = _or_404(selectors.firm_get, actor=request.user, firm_id=pk)
    if request.htmx:
        context = {"firm": firm, "error": error, "note": note}
        return render(request, "frontend/accounts/_queue_row.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(
            request,
            _("%(firm)s: %(state)s.")
            % {
                "firm": firm.organisation.name,
                "state": firm.get_verification_display(),
            },
        )
    return redirect("frontend:firm-verification-queue")


@login_required
def api_tokens(request):
    form = ApiTokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_key = services.api_token_create(
                actor=request.user, name=form.cleaned_data["name"]
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            form = ApiTokenForm()
    tokens = selectors.api_token_list(actor=request.user)
    return render(
        request,
        "frontend/accounts/tokens.html",
        {"form": form, "tokens": tokens, "new_key": new_key},
    )


@login_required
@require_POST
def api_token_revoke(request, pk: int):
    token = _or_404(services.api_token_revoke, actor=request.user, token_id=pk)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("frontend:api-tokens")


@login_required
def profile(request):
    user = request.user
    initial = {"full_name": user.full_name, "phone": user.phone, "language": user.language,
               "badge_number": user.badge_number or ""}  # fmt: skip
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_profile_update(actor=user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            response = redirect("frontend:profile")
            # The chosen language takes effect at once, through the same cookie as the switch.
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.language, samesite="Lax")
            messages.success(request, _("Your profile is saved."))
            return response
    return render(request, "frontend/accounts/profile.html", {"form": form})
