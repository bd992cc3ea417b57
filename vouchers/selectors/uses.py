"""Voucher uses (one captured ledger entry each) as people read them: the firm's own on its
"uses of my vouchers" page, a department's for its exports. Amounts are the ledger's: the
captured entry, less what its hold had reversed since."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.scoping import Scope
from booking.models import Booking, ServiceRequest
from config.errors import NotFound
from vouchers.models import ClaimLine, LedgerEntry, OrderVoucherHold, PublicNotice
from vouchers.selectors.claims import day_start


def use_entries(
    actor: User, *, firm_id: int | None = None, issuer_id: int | None = None,
    period_start: dt.date | None = None, period_end: dt.date | None = None,
) -> QuerySet[LedgerEntry]:  # fmt: skip
    """Capture entries of one firm's vouchers (the firm's members) or of one issuer's
    programmes (its reviewers), newest first. Anyone else: NotFound."""
    scope = Scope.for_user(actor)
    qs = LedgerEntry.objects.filter(kind=LedgerEntry.Kind.CAPTURE)
    if firm_id is not None:
        if not (scope.is_admin or scope.can_act_for_firm(firm_id)):
            raise NotFound(code="firm_not_found")
        qs = qs.filter(voucher__firm_id=firm_id)
    elif issuer_id is not None:
        if not (scope.is_admin or issuer_id in scope.department_ids):
            raise NotFound(_("Department not found."), code="department_not_found")
        qs = qs.filter(voucher__programme__issuer_id=issuer_id)
    else:
        raise NotFound(code="firm_not_found")
    if period_start:
        qs = qs.filter(at__gte=day_start(period_start))
    if period_end:
        qs = qs.filter(at__lt=day_start(period_end + dt.timedelta(days=1)))
    return qs.select_related("voucher__firm", "voucher__programme").order_by("-at", "-pk")


def uses_read(entries: Iterable[LedgerEntry]) -> list[dict[str, Any]]:
    """Each entry with its order's provider and service, what was reversed of it and the
    live claim line holding it: four queries for any number of entries."""
    entries = list(entries)
    ids: dict[str, set[int]] = {"booking": set(), "service_request": set()}
    for e in entries:
        ids.setdefault(e.order_kind, set()).add(e.order_id)
    orders = {("booking", pk): (service, provider) for pk, service, provider in
              Booking.objects.filter(pk__in=ids["booking"]).values_list(
                  "pk", "instrument__name", "instrument__provider__name")}  # fmt: skip
    orders |= {("service_request", pk): (service, provider) for pk, service, provider in
               ServiceRequest.objects.filter(pk__in=ids["service_request"]).values_list(
                   "pk", "service__name", "service__provider__name")}  # fmt: skip
    reversed_ = {(k, o, v): r for k, o, v, r in OrderVoucherHold.objects.filter(
        order_id__in={e.order_id for e in entries}).values_list(
        "order_kind", "order_id", "voucher_id", "reversed_fen")}  # fmt: skip
    claims = dict(ClaimLine.objects.filter(capture_entry__in=[e.pk for e in entries]).exclude(
        state=ClaimLine.State.REJECTED).values_list("capture_entry_id", "claim__number"))  # fmt: skip
    out = []
    for e in entries:
        service, provider = orders.get((e.order_kind, e.order_id), ("", ""))
        out.append({
            "entry_id": e.pk, "at": e.at, "firm": e.voucher.firm.name, "firm_id": e.voucher.firm_id,
            "provider": provider, "service": service, "order_kind": e.order_kind,
            "order_id": e.order_id, "voucher": e.voucher.code, "programme": e.voucher.programme.name,
            "voucher_fen": e.amount_fen,
            "reversed_fen": reversed_.get((e.order_kind, e.order_id, e.voucher_id), 0),
            "claim_number": claims.get(e.pk, ""),
        })  # fmt: skip
    return out


def uses_iter(entries: QuerySet[LedgerEntry], *, chunk: int = 2000) -> Iterator[dict[str, Any]]:
    """All uses of ``entries`` for an export, read ``chunk`` at a time."""
    batch: list[LedgerEntry] = []
    for entry in entries.iterator(chunk_size=chunk):
        batch.append(entry)
        if len(batch) == chunk:
            yield from uses_read(batch)
            batch = []
    yield from uses_read(batch)


def notices_about_firm(firm_id: int, firm_name: str) -> list[tuple[PublicNotice, list[dict]]]:
    """Public notices of the programmes the firm holds vouchers of, each with the rows
    that list the firm (by id on notices that record it, by name on older ones). Read in
    Python: a programme publishes a notice a month or so, and SQLite has no JSON
    containment."""
    notices = (
        PublicNotice.objects.filter(programme__vouchers__firm_id=firm_id)
        .distinct()
        .select_related("programme__issuer")
        .order_by("-published_at", "-pk")[:50]
    )
    found = []
    for notice in notices:
        rows = [r for r in notice.rows
                if r.get("firm_id") == firm_id or ("firm_id" not in r and r["firm"] == firm_name)]  # fmt: skip
        if rows:
            found.append((notice, rows))
    return found
