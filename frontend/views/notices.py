"""Public notices (公示): the department publishes, anyone reads without signing in."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accounts.models import Organisation
from accounts.scoping import scope_of
from config.errors import DomainError
from frontend.views.claims import _acting
from vouchers.models import Programme, PublicNotice
from vouchers.services import notices as services


def _department(request) -> Organisation:
    department = _acting(request, Organisation.Kind.DEPARTMENT)
    if department is None:
        raise Http404
    return department


def _date(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value or "")
    except ValueError:
        return None


@login_required
def notice_list(request, error=None, status=200):
    department = _department(request)
    programmes = Programme.objects.filter(issuer=department).order_by("-valid_from")
    context = {"department": department, "programmes": programmes, "error": error,
               "notices": PublicNotice.objects.filter(programme__issuer=department).select_related("programme")[:100],
               "today": timezone.localdate()}  # fmt: skip
    return render(request, "frontend/notices/list.html", context, status=status)


@login_required
@require_POST
def notice_publish(request):
    _department(request)
    start, end = _date(request.POST.get("period_start")), _date(request.POST.get("period_end"))
    if not (start and end and request.POST.get("programme", "").isdigit()):
        return notice_list(request, error=_("Choose the programme and the period."), status=400)
    try:
        notice = services.notice_publish(actor=request.user, programme_id=int(request.POST["programme"]),
                                         period_start=start, period_end=end)  # fmt: skip
    except DomainError as exc:
        return notice_list(
            request, error=exc.message, status=409 if exc.kind == "conflict" else 400
        )
    messages.success(request, _("Notice published."))
    return redirect("frontend:notice-public", pk=notice.pk)


@login_required
@require_POST
def notice_correct(request, pk):
    try:
        services.notice_correct(actor=request.user, notice_id=pk, text=request.POST.get("text", ""))
    except DomainError as exc:
        if exc.kind == "not_found":
            raise Http404 from exc
        messages.error(request, exc.message)
    return redirect("frontend:notice-public", pk=pk)


def notice_public(request, pk):
    """No sign-in: the frozen rows and every correction published since."""
    notice = get_object_or_404(PublicNotice.objects.select_related("programme__issuer"), pk=pk)
    rows = Paginator(notice.rows, 100).get_page(request.GET.get("page"))
    can_correct = request.user.is_authenticated and notice.programme.issuer_id in _reviewer_ids(
        request
    )
    context = {"notice": notice, "rows": rows, "corrections": list(notice.corrections.all()),
               "can_correct": can_correct, "open": notice.notice_until >= timezone.localdate()}  # fmt: skip
    return render(request, "frontend/notices/public.html", context)


def _reviewer_ids(request):
    return scope_of(request).department_ids
