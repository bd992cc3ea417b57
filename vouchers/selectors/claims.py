"""Reads of claims: what a provider can still claim, and claims scoped to who may see them
(the provider that made it, the department it is addressed to; anyone else gets 404)."""

from __future__ import annotations

import datetime as dt

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.scoping import Scope
from booking.models import Booking, ServiceRequest
from config.errors import NotFound
from vouchers.models import Claim, ClaimLine, LedgerEntry, OrderVoucherHold


def ids_in(ids) -> list[int] | RawSQL:
    """The right side of ``field__in`` for thousands of ids: on PostgreSQL one array
    parameter (``SELECT unnest(%s)``), since a 5,000-placeholder ``IN (%s, …)`` costs more
    to build and parse than to run; elsewhere the plain list."""
    ids = list(ids)
    if connection.vendor == "postgresql" and len(ids) > 100:
        return RawSQL("SELECT unnest(%s::bigint[])", (ids,))
    return ids


def day_start(day: dt.date) -> dt.datetime:
    """Midnight of ``day`` in Asia/Shanghai, as an aware instant."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


ORDER_MODELS = {"booking": (Booking, "instrument__provider_id"),
                "service_request": (ServiceRequest, "service__provider_id")}  # fmt: skip


def provider_orders_q(provider_id: int, order_kind: str | None = None) -> Q:
    """Ledger entries of orders served by ``provider_id`` (bookings of its instruments,
    requests for its testing services), or of one kind of them."""
    q = Q()
    for kind, (model, provider_field) in ORDER_MODELS.items():
        if order_kind in (None, kind):
            orders = model.objects.filter(**{provider_field: provider_id}).values("pk")
            q |= Q(order_kind=kind, order_id__in=orders)
    return q


def _clean_hold() -> QuerySet[OrderVoucherHold]:
    return OrderVoucherHold.objects.filter(
        order_kind=OuterRef("order_kind"), order_id=OuterRef("order_id"),
        voucher_id=OuterRef("voucher_id"), state=OrderVoucherHold.State.CAPTURED, reversed_fen=0,
    )  # fmt: skip


def claimable_entries(
    *, provider_id: int, period_start: dt.date, period_end: dt.date, order_kind: str | None = None
) -> QuerySet[LedgerEntry]:
    """Capture entries of the provider's orders completed in the period (local dates,
    inclusive) that no live claim line holds and whose capture was never reversed;
    ``order_kind`` keeps one kind of order (one kind per query plans far better over a
    million captures than the OR of both: bench/RESULTS.md)."""
    live_line = ClaimLine.objects.filter(capture_entry=OuterRef("pk")).exclude(
        state=ClaimLine.State.REJECTED
    )
    return (
        LedgerEntry.objects.filter(
            provider_orders_q(provider_id, order_kind),
            kind=LedgerEntry.Kind.CAPTURE,
            at__gte=day_start(period_start),
            at__lt=day_start(period_end + dt.timedelta(days=1)),
        )
        .filter(Exists(_clean_hold()))
        .exclude(Exists(live_line))
        .select_related("voucher__programme")
        .order_by("at", "pk")
    )


def claimable_rows(*, provider_id: int, period_start: dt.date, period_end: dt.date) -> list:
    """What ``claim_build`` writes lines from, as plain rows in (at, pk) order: each
    claimable capture entry with its firm, issuer, hold, the order's fee and all captures
    of the order (the firm paid the fee less those). One query per kind of order, the
    look-ups folded in as correlated subqueries on the orders' primary keys and the holds'
    unique (kind, order, voucher) index."""
    captured_all = (
        OrderVoucherHold.objects.filter(order_kind=OuterRef("order_kind"),
                                        order_id=OuterRef("order_id"))
        .order_by().values("order_kind", "order_id").annotate(s=Sum("captured_fen")).values("s")
    )  # fmt: skip
    rows = []
    for kind, (model, _field) in ORDER_MODELS.items():
        fee = model.objects.filter(pk=OuterRef("order_id")).order_by().values("fee_fen")[:1]
        rows += (
            claimable_entries(provider_id=provider_id, period_start=period_start,
                              period_end=period_end, order_kind=kind)
            .annotate(firm_id=F("voucher__firm_id"), issuer_id=F("voucher__programme__issuer_id"),
                      hold_id=Subquery(_clean_hold().values("pk")[:1]),
                      fee_fen=Coalesce(Subquery(fee), 0),
                      captured_all_fen=Coalesce(Subquery(captured_all), 0))
            .values_list("pk", "voucher_id", "amount_fen", "order_kind", "order_id", "at",
                         "firm_id", "issuer_id", "hold_id", "fee_fen", "captured_all_fen",
                         named=True)
        )  # fmt: skip
    rows.sort(key=lambda r: (r.at, r.pk))
    return rows


def claims_visible_q(scope: Scope) -> Q:
    if scope.is_admin:
        return Q()
    # A department sees a claim once it is submitted: a draft is the provider's business.
    return Q(provider_id__in=scope.provider_ids) | (
        Q(issuer_id__in=scope.department_ids) & ~Q(status=Claim.Status.DRAFT)
    )


def claim_list(
    actor: User, *, provider_id: int | None = None, issuer_id: int | None = None,
    status: str | None = None,
) -> QuerySet[Claim]:  # fmt: skip
    """Claims the actor may see, newest first, optionally for one provider or issuer."""
    qs = Claim.objects.filter(claims_visible_q(Scope.for_user(actor)))
    if provider_id is not None:
        qs = qs.filter(provider_id=provider_id)
    if issuer_id is not None:
        qs = qs.filter(issuer_id=issuer_id)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("provider", "issuer").order_by("-created_at", "-pk")


def claim_get(actor: User, pk) -> Claim:
    """The claim if the actor is on either side of it; NotFound otherwise."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise NotFound(_("Claim not found."), code="claim_not_found") from None
    claim = claim_list(actor).filter(pk=pk).first()
    if claim is None:
        raise NotFound(_("Claim not found."), code="claim_not_found")
    return claim


class IdsFirstPaginator(Paginator):
    """A page of a long ordered queryset read in two steps: the page's primary keys first
    (the OFFSET walks the index, not the joined rows), then those rows with their joins.
    The last page of a 5,000-line claim then costs about what the first does."""

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        if top + self.orphans >= self.count:
            top = self.count
        ids = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        rows = {row.pk: row for row in self.object_list.filter(pk__in=ids)}
        return self._get_page([rows[pk] for pk in ids if pk in rows], number, self)


def claim_lines(
    claim: Claim, *, state: str | None = None, flagged: bool = False
) -> QuerySet[ClaimLine]:
    qs = claim.lines.select_related("firm", "capture_entry__voucher")
    if state:
        qs = qs.filter(state=state)
    if flagged:
        qs = qs.filter(flagged=True)
    return qs.order_by("completed_at", "pk")


def flagged_lines(
    actor: User, *, issuer_id: int | None = None, code: str | None = None
) -> QuerySet[ClaimLine]:
    """Red-flagged lines of the claims the actor sees, newest claim first; ``code`` keeps
    one kind of flag. A department's list (``issuer_id``, or a caller who is only a
    reviewer) reads the partial index ``claim_line_issuer_flagged`` in its order; the
    draft filter is a join on the claim's primary key per line read."""
    scope = Scope.for_user(actor)
    if issuer_id is None and scope.department_ids and not scope.provider_ids and not scope.is_admin:
        issuer_ids = list(scope.department_ids)
    elif issuer_id is not None:
        issuer_ids = [issuer_id] if scope.is_admin or issuer_id in scope.department_ids else []
    else:
        issuer_ids = None
    qs = ClaimLine.objects.filter(flagged=True)
    if issuer_ids is not None:
        qs = qs.filter(issuer_id__in=issuer_ids).exclude(claim__status=Claim.Status.DRAFT)
    else:
        qs = qs.filter(claim__in=claim_list(actor).values("pk"))
    if code:
        qs = (
            qs.filter(flags__contains=[{"code": code}])
            if _json_contains()
            else qs.filter(flags__icontains=f'"code": "{code}"')
        )
    return qs.select_related("claim__provider", "firm", "capture_entry__voucher").order_by(
        "-claim_id", "completed_at", "pk"
    )


def _json_contains() -> bool:
    return connection.vendor == "postgresql"


def claim_history(claim: Claim):
    return claim.history.select_related("actor").order_by("at", "pk")
