"""Reads: who may see which statement. A firm's members see the firm's statements, a
provider's managers the ones it sent; anyone else gets NotFound (404), as for orders."""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, User
from accounts.scoping import Scope
from config.errors import NotFound
from statements.models import InvoiceRequest, Statement, StatementLine
from tracker.models import UsageEvent


def _visible(scope: Scope) -> Q:
    if scope.is_admin:
        return Q()
    return Q(firm_id__in=scope.firm_ids) | Q(provider_id__in=scope.provider_ids)


def statement_list(
    *, actor: User, firm_id: int | None = None, provider_id: int | None = None,
    month: dt.date | None = None,
) -> QuerySet[Statement]:  # fmt: skip
    """The actor's statements, newest month first, with provider, firm and invoice requests
    fetched for the whole page (three queries however many rows)."""
    qs = Statement.objects.filter(_visible(Scope.for_user(actor)))
    if firm_id is not None:
        qs = qs.filter(firm_id=firm_id)
    if provider_id is not None:
        qs = qs.filter(provider_id=provider_id)
    if month is not None:
        qs = qs.filter(month=month.replace(day=1))
    live = InvoiceRequest.objects.filter(status__in=InvoiceRequest.LIVE)
    return qs.select_related("provider", "firm").prefetch_related(
        Prefetch("invoice_requests", queryset=live, to_attr="live_invoices")
    )


def statement_get(*, actor: User, statement_id) -> Statement:
    statement = (
        Statement.objects.filter(_visible(Scope.for_user(actor)), pk=statement_id)
        .select_related("provider", "firm", "issued_by")
        .first()
    )
    if statement is None:
        raise NotFound(_("No such statement."))
    return statement


def statement_lines(statement: Statement) -> QuerySet[StatementLine]:
    return statement.lines.order_by("completed_at", "pk")


def invoice_requests_of(statement: Statement) -> list[InvoiceRequest]:
    """The statement's invoice requests, newest first, each with its history."""
    return list(
        statement.invoice_requests.select_related("requested_by").prefetch_related("changes__actor")
    )


def invoice_queue(*, actor: User, provider_id: int) -> QuerySet[InvoiceRequest]:
    """Invoice requests waiting for the provider, oldest first."""
    if not Scope.for_user(actor).can_manage_provider(provider_id):
        return InvoiceRequest.objects.none()
    return (
        InvoiceRequest.objects.filter(
            statement__provider_id=provider_id, status=InvoiceRequest.Status.REQUESTED
        )  # fmt: skip
        .select_related("statement__firm")
        .order_by("created_at", "pk")
    )


def provider_clients(*, provider_id: int) -> QuerySet[Organisation]:
    """The firms with completed orders at the provider (whom a statement can go to)."""
    firm_ids = UsageEvent.objects.filter(provider_id=provider_id).values("firm_id")
    return Organisation.objects.filter(pk__in=firm_ids).order_by("name")
