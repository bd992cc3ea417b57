"""The facts the rules need about an order (or an order not yet placed), in few queries."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Case, Exists, F, OuterRef, Q, Subquery, Sum, When

from accounts.models import Organisation
from booking.order_events import OrderKind
from facilities.models import Instrument, TestingService
from vouchers.models import OrderVoucherHold, Programme, RelatedParty, Voucher
from vouchers.rules import OrderFacts, Rules


def local_year_start(at: dt.datetime) -> dt.datetime:
    tz = ZoneInfo(settings.TIME_ZONE)
    local = at.astimezone(tz)
    return dt.datetime(local.year, 1, 1, tzinfo=tz)


def controller_group_q(firm_id: int, field: str = "firm_id") -> Q:
    """Firms that declared the same actual controller as ``firm_id`` (itself included)."""
    shared = RelatedParty.objects.filter(
        organisation_id=firm_id, role=RelatedParty.Role.ACTUAL_CONTROLLER
    ).values("identifier")
    related = RelatedParty.objects.filter(
        role=RelatedParty.Role.ACTUAL_CONTROLLER, identifier__in=shared
    ).values("organisation_id")
    return Q(**{field: firm_id}) | Q(**{f"{field}__in": related})


def item_id_of(order_kind: str, order) -> int:
    """The instrument a booking is of, or the testing service a request is for."""
    return order.instrument_id if order_kind == OrderKind.BOOKING else order.service_id


def order_facts(
    *, order_kind: str, item_id: int, firm_id: int, fee_fen: int, programme: Programme
) -> OrderFacts:
    """What the rules need to know of an order of ``item_id`` for ``firm_id``."""
    model = Instrument if order_kind == OrderKind.BOOKING else TestingService
    firm_parties = RelatedParty.objects.filter(organisation_id=firm_id).values("identifier")
    # One statement (it runs on the booking hot path): the item's category and provider,
    # the firm's region, and whether firm and provider declared a shared party.
    row = (
        model.objects.filter(pk=item_id)
        .annotate(
            firm_region=Subquery(Organisation.objects.filter(pk=firm_id).values("region_id")[:1]),
            related=Exists(
                RelatedParty.objects.filter(
                    organisation_id=OuterRef("provider_id"), identifier__in=firm_parties
                )
            ),
        )  # fmt: skip
        .values(
            "category__path",
            "provider_id",
            "provider__region_id",
            "firm_region",
            "related",
            *(("statutory_testing", "voucher_eligible") if model is TestingService else ()),
        )  # fmt: skip
        .get()
    )
    return OrderFacts(
        kind=order_kind, fee_fen=fee_fen, provider_id=row["provider_id"],
        provider_region=row["provider__region_id"], firm_region=row["firm_region"],
        programme_region=programme.region_id, category_path=row["category__path"] or "",
        statutory=row.get("statutory_testing", False), related_party=row["related"],
        item_accepts_vouchers=row.get("voucher_eligible", True),
    )  # fmt: skip


def year_used_fen(rules: Rules, programme_id: int, firm_id: int, at: dt.datetime) -> int:
    """What the firm (or, with a per-controller cap, its controller's firms) spends of the
    programme this calendar year: live holds plus captures less reversals."""
    if rules.cap_per_year_fen is None:
        return 0
    group = controller_group_q(firm_id, "voucher__firm_id") if rules.cap_per_controller else None
    holds = OrderVoucherHold.objects.filter(
        voucher__programme_id=programme_id, created_at__gte=local_year_start(at)
    )
    holds = holds.filter(group) if group is not None else holds.filter(voucher__firm_id=firm_id)
    spent = Case(
        When(state=OrderVoucherHold.State.HELD, then=F("held_fen")),
        default=F("captured_fen") - F("reversed_fen"),
    )
    return holds.aggregate(s=Sum(spent))["s"] or 0


def spending_group_voucher_ids(rules: Rules, programme_id: int, firm_id: int) -> list[int]:
    """The vouchers whose rows serialise spending under a yearly cap: all of the firm's (or
    its controller group's) vouchers of the programme. Locking them all, in ascending id,
    keeps two orders from both passing the cap."""
    if rules.cap_per_year_fen is None:
        return []
    group = controller_group_q(firm_id) if rules.cap_per_controller else None
    vouchers = Voucher.objects.filter(programme_id=programme_id)
    vouchers = vouchers.filter(group) if group is not None else vouchers.filter(firm_id=firm_id)
    return list(vouchers.values_list("pk", flat=True))
