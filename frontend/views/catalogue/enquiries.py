"""Asking providers for an instrument the catalogue does not list: the form under an empty
search, and the lab managers' list of what firms asked for in their categories."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import Organisation
from config.errors import DomainError
from facilities import selectors
from facilities.services.enquiries import instrument_enquiry_create
from frontend.views.catalogue.helpers import category_choices


def _int(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _acting_firm(request) -> Organisation | None:
    acting = getattr(request, "acting", None)
    if acting and acting.organisation.kind == Organisation.Kind.FIRM:
        return acting.organisation
    return None


@login_required
def enquiry_create(request):
    """GET: the form, filled from the empty search (``q``, ``category``); POST: send it."""
    data = request.POST if request.method == "POST" else request.GET
    values = {"q": data.get("q", "")[:100], "details": data.get("details", ""),
              "category": _int(data.get("category"))}  # fmt: skip
    error = None
    if request.method == "POST":
        try:
            instrument_enquiry_create(
                actor=request.user, query=values["q"], details=values["details"],
                category_id=values["category"], firm=_acting_firm(request),
            )  # fmt: skip
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, _("Sent. Lab managers of matching providers will see it."))
            return redirect(
                reverse("frontend:instrument-list") + "?" + urlencode({"q": values["q"]})
            )
    context = {"values": values, "error": error, "categories": category_choices(),
               "firm": _acting_firm(request)}  # fmt: skip
    return render(
        request, "frontend/catalogue/enquiry_form.html", context, status=400 if error else 200
    )


@login_required
def lab_enquiries(request):
    rows = selectors.instrument_enquiry_list_for_manager(actor=request.user)
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    return render(request, "frontend/catalogue/manage/enquiry_list.html", {"page": page})
