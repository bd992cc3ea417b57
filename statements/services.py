"""Issuing statements: a manager's "issue now" and the month-end task go through
``statement_issue``.

Issuing locks the provider's Organisation row first, so two issues for one provider (the
beat and a manager's click) run one after the other: the second finds the orders already
stated and answers ``nothing_to_state``. The unique constraint ``line_order_once`` is the
last word if anything else races in.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, User
from accounts.scoping import Scope
from config.errors import Conflict, Forbidden, Invalid, NotFound
from statements.models import Statement, StatementLine
from statements.money import orders_money
from statements.notices import notify_statement_issued
from tracker.models import UsageEvent
from vouchers.models import LedgerEntry

L = StatementLine.Kind


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def month_start_at(month: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(month, dt.time.min))


def month_end_at(month: dt.date) -> dt.datetime:
    """The first instant after ``month`` in Asia/Shanghai (aware)."""
    return timezone.make_aware(dt.datetime.combine(next_month(month), dt.time.min))


def _stated():
    return StatementLine.objects.filter(
        kind=L.ORDER, order_kind=OuterRef("order_kind"), order_id=OuterRef("order_id")
    )


def unstated_events(*, provider_id: int, firm_id: int, since: dt.datetime, until: dt.datetime):
    """The pair's completed orders not on any statement yet, completed in [since, until)."""
    return (
        UsageEvent.objects.filter(
            provider_id=provider_id,
            firm_id=firm_id,
            completed_at__gte=since,
            completed_at__lt=until,
        )  # fmt: skip
        .exclude(Exists(_stated()))
        .select_related("instrument", "service")
        .order_by("completed_at", "pk")
    )


def _order_lines(events) -> list[StatementLine]:
    events = list(events)
    money = orders_money((e.order_kind, e.order_id) for e in events)
    lines = []
    for e in events:
        fee, voucher = money.get((e.order_kind, e.order_id), (e.fee_fen, e.voucher_fen))
        item = e.instrument or e.service
        lines.append(StatementLine(
            kind=L.ORDER, order_kind=e.order_kind, order_id=e.order_id,
            completed_at=e.completed_at, item_name=item.name if item else "", minutes=e.minutes,
            samples=e.samples, fee_fen=fee, voucher_fen=voucher, firm_fen=fee - voucher,
        ))  # fmt: skip
    return lines


def _correction_lines(*, provider_id: int, firm_id: int) -> list[StatementLine]:
    """One line per stated order whose money changed since: the difference, so that the
    sum of an order's lines over all statements is what it costs now."""
    stated = (
        StatementLine.objects.filter(
            statement__provider_id=provider_id, statement__firm_id=firm_id
        )  # fmt: skip
        .values("order_kind", "order_id")
        .annotate(fee=Sum("fee_fen"), voucher=Sum("voucher_fen"))
    )
    sums = {(r["order_kind"], r["order_id"]): (r["fee"], r["voucher"]) for r in stated}
    if not sums:
        return []
    money = orders_money(sums)
    changed = {k: v for k, v in money.items() if v != sums[k]}
    if not changed:
        return []
    originals = StatementLine.objects.filter(
        kind=L.ORDER, statement__provider_id=provider_id, statement__firm_id=firm_id,
        order_id__in={pk for _kind, pk in changed},
    )  # fmt: skip
    lines = []
    for original in originals:
        key = (original.order_kind, original.order_id)
        if key not in changed:
            continue
        fee = changed[key][0] - sums[key][0]
        voucher = changed[key][1] - sums[key][1]
        lines.append(StatementLine(
            kind=L.CORRECTION, order_kind=original.order_kind, order_id=original.order_id,
            completed_at=original.completed_at, item_name=original.item_name,
            minutes=original.minutes, samples=original.samples,
            fee_fen=fee, voucher_fen=voucher, firm_fen=fee - voucher,
        ))  # fmt: skip
    return lines


def _check_actor(actor: User | None, provider_id: int) -> None:
    if actor is not None and not Scope.for_user(actor).can_manage_provider(provider_id):
        raise Forbidden(_("Only the provider's lab managers may issue its statements."))


def _check_month(month: dt.date) -> dt.date:
    month = month_start(month)
    if month > month_start(timezone.localdate()):
        message = _("A statement can only cover a month that has begun.")
        raise Invalid(message, code="month_in_future", fields={"month": [str(message)]})
    return month


def _new_number(month: dt.date) -> str:
    return f"ST{month:%Y%m}-{secrets.token_hex(4).upper()}"


def statement_issue(
    *, actor: User | None, provider_id: int, firm_id: int, month: dt.date
) -> Statement:
    """Issue the statement of ``month`` from the provider to the firm: every completed order
    of the pair completed in that month (up to now, for a month still running) and not
    stated yet, plus a correction line for each stated order whose money changed.
    The lines are frozen; the totals are their sums. The firm's members are notified.

    ``actor`` None is the month-end task. Errors: Forbidden (not a manager of the provider),
    NotFound ``firm_not_found``, Invalid ``month_in_future``, Conflict ``nothing_to_state``.
    """
    _check_actor(actor, provider_id)
    month = _check_month(month)
    firm = Organisation.objects.filter(pk=firm_id, kind=Organisation.Kind.FIRM).first()
    if firm is None:
        raise NotFound(_("No such firm."), code="firm_not_found")
    until = min(month_end_at(month), timezone.now())
    with transaction.atomic():
        provider = Organisation.objects.select_for_update().get(pk=provider_id)
        events = unstated_events(provider_id=provider.pk, firm_id=firm.pk,
                                 since=month_start_at(month), until=until)  # fmt: skip
        lines = _order_lines(events)
        lines += _correction_lines(provider_id=provider.pk, firm_id=firm.pk)
        if not lines:
            raise Conflict(
                _(
                    "Nothing to state: every completed order of this firm is on a statement already."
                ),
                code="nothing_to_state",
            )
        statement = Statement.objects.create(
            number=_new_number(month), provider=provider, firm=firm, month=month,
            issued_at=timezone.now(), issued_by=actor, line_count=len(lines),
            fee_fen=sum(line.fee_fen for line in lines),
            voucher_fen=sum(line.voucher_fen for line in lines),
            firm_fen=sum(line.firm_fen for line in lines),
        )  # fmt: skip
        for line in lines:
            line.statement = statement
        try:
            with transaction.atomic():
                StatementLine.objects.bulk_create(lines)
        except IntegrityError as exc:
            raise Conflict(
                _("These orders were stated a moment ago; reload to see the statement."),
                code="statement_raced",
            ) from exc
        notify_statement_issued(statement)
    return statement


def pairs_due(month: dt.date) -> list[tuple[int, int]]:
    """(provider, firm) pairs with something to state for ``month``: orders completed in
    it and not stated, or voucher captures reversed during it (a correction)."""
    until = month_end_at(month)
    new = (
        UsageEvent.objects.filter(completed_at__gte=month_start_at(month), completed_at__lt=until)
        .exclude(Exists(_stated()))
        .values_list("provider_id", "firm_id")
        .distinct()
    )
    pairs = set(new)
    reversed_orders = LedgerEntry.objects.filter(
        kind=LedgerEntry.Kind.REVERSE, at__gte=month_start_at(month), at__lt=until
    ).values_list("order_kind", "order_id")
    keys = set(reversed_orders)
    if keys:
        events = UsageEvent.objects.filter(order_id__in={pk for _k, pk in keys}).values_list(
            "order_kind", "order_id", "provider_id", "firm_id"
        )
        pairs |= {(p, f) for kind, pk, p, f in events if (kind, pk) in keys}
    return sorted(pairs)


def statements_issue_month(*, month: dt.date) -> list[Statement]:
    """The month-end run: one statement per pair with something to state, each in its own
    transaction (one pair's failure does not hold up the others' statements). Idempotent:
    a second run finds everything stated."""
    month = month_start(month)
    issued = []
    for provider_id, firm_id in pairs_due(month):
        try:
            issued.append(statement_issue(actor=None, provider_id=provider_id,
                                          firm_id=firm_id, month=month))  # fmt: skip
        except Conflict:
            continue  # stated by a manager meanwhile, or only a correction that cancelled out
    return issued
