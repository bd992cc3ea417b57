"""Asking providers for an instrument the catalogue does not list."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from accounts.scoping import Scope
from config.errors import Conflict, Invalid
from facilities.models import Category, InstrumentEnquiry

MAX_DETAILS = 1000
MAX_PER_DAY = 20


@transaction.atomic
def instrument_enquiry_create(
    *, actor, query: str, details: str = "", category_id: int | None = None,
    firm: Organisation | None = None,
) -> InstrumentEnquiry:  # fmt: skip
    """Record what the actor searched for and needs, for the lab managers of matching
    categories to see (``instrument_enquiry_list_for_manager``).

    Errors: ``enquiry_empty`` (no search words), ``enquiry_too_long`` (details beyond
    MAX_DETAILS), ``bad_category``, ``not_your_firm`` (the firm is not one of the actor's),
    ``too_many_enquiries`` (more than MAX_PER_DAY in a day: a conflict, try tomorrow)."""
    query = " ".join((query or "").split())[:100]
    details = (details or "").strip()
    if not query:
        raise Invalid(_("Say what you searched for."), code="enquiry_empty", fields={"q": []})
    if len(details) > MAX_DETAILS:
        raise Invalid(_("Keep the description under 1,000 characters."),
                      code="enquiry_too_long", fields={"details": []})  # fmt: skip
    if category_id is not None and not Category.objects.filter(pk=category_id).exists():
        raise Invalid(_("Choose a category from the list."), code="bad_category",
                      fields={"category": []})  # fmt: skip
    if firm is not None and not Scope.for_user(actor).can_act_for_firm(firm.pk):
        raise Invalid(_("You do not act for this firm."), code="not_your_firm")
    since = timezone.now() - dt.timedelta(days=1)
    if (
        InstrumentEnquiry.objects.filter(created_by=actor, created_at__gte=since).count()
        >= MAX_PER_DAY
    ):
        raise Conflict(_("You have sent many requests today; please try again tomorrow."),
                       code="too_many_enquiries")  # fmt: skip
    return InstrumentEnquiry.objects.create(
        query=query, details=details, category_id=category_id, firm=firm, created_by=actor
    )
