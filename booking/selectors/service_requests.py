"""Reads for testing-service requests, always through ``accounts.scoping.Scope``.

A request is visible to members of the ordering firm and to the lab managers of
the service's provider; to anyone else it does not exist (NotFound → 404).
"""

from __future__ import annotations

import datetime as dt
import statistics

from django.db.models import (
    Aggregate,
    BooleanField,
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.scoping import Scope
from booking.models import ServiceRequest, StateChange
from booking.working_days import working_days_due
from config.errors import Invalid, NotFound
from facilities.models import TestingService

S = ServiceRequest.Status
OPEN = (S.SUBMITTED, S.ACCEPTED, S.SAMPLES_RECEIVED, S.TESTING)
# Where the lab's work is: the queue shows these groups, in this order.
QUEUE_STATES = (S.SUBMITTED, S.ACCEPTED, S.SAMPLES_RECEIVED, S.TESTING, S.REPORTED)
QUEUE_LIMIT = 300


def _visible(scope: Scope) -> Q:
    if scope.is_admin:
        return Q()
    return Q(firm_id__in=scope.firm_ids) | Q(service__provider_id__in=scope.provider_ids)


def _with_overdue(qs: QuerySet) -> QuerySet:
    today = timezone.localdate()
    return qs.annotate(
        is_overdue=Case(
            When(status__in=OPEN, due_on__lt=today, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def service_request_get(*, scope: Scope, pk) -> ServiceRequest:
    """The request if ``scope`` may see it, else NotFound."""
    qs = ServiceRequest.objects.filter(_visible(scope)).select_related(
        "service", "service__provider", "firm", "requested_by"
    )
    sr = _with_overdue(qs).filter(pk=pk).first() if str(pk).isdigit() else None
    if sr is None:
        raise NotFound(_("Testing request not found."), code="service_request_not_found")
    return sr


def service_request_list(*, scope: Scope, firm_ids=None, status: str | None = None) -> QuerySet:
    """Requests visible to ``scope``; ``firm_ids`` narrows to those firms' orders."""
    if firm_ids is None:
        qs = ServiceRequest.objects.filter(_visible(scope))
    else:
        # A firm's own orders: one indexed condition instead of the firm-or-provider OR,
        # which would force a join against every testing service.
        allowed = set(firm_ids) if scope.is_admin else set(firm_ids) & scope.firm_ids
        qs = ServiceRequest.objects.filter(firm_id__in=allowed)
    if status:
        qs = qs.filter(status=status)
    return _with_overdue(qs.select_related("service", "service__provider", "requested_by"))


def service_request_queue(*, scope: Scope, provider_ids) -> dict[str, list[ServiceRequest]]:
    """The lab managers' work, grouped by state (QUEUE_STATES order); within a group the
    overdue ones first, then by due date and age. One query."""
    allowed = provider_ids if scope.is_admin else set(provider_ids) & scope.provider_ids
    qs = _with_overdue(
        ServiceRequest.objects.filter(service__provider_id__in=allowed, status__in=QUEUE_STATES)
    ).select_related("service", "firm")
    qs = qs.order_by(F("is_overdue").desc(), F("due_on").asc(nulls_last=True), "created_at", "pk")[
        :QUEUE_LIMIT
    ]
    groups: dict[str, list[ServiceRequest]] = {state: [] for state in QUEUE_STATES}
    for sr in qs:
        groups[sr.status].append(sr)
    return groups


def service_request_history(*, sr: ServiceRequest) -> list[StateChange]:
    """Who changed the request, when and why, oldest first; ``to_label`` is the state's name."""
    changes = list(StateChange.objects.filter(service_request=sr).select_related("actor"))
    for change in changes:
        change.to_label = S(change.to_status).label
    return changes


def orderable_service_get(*, pk) -> TestingService:
    """An active testing service anyone may order, else NotFound."""
    service = (
        TestingService.objects.filter(is_active=True, provider__is_active=True)
        .select_related("provider")
        .filter(pk=pk)
        .first()
        if str(pk).isdigit()
        else None
    )
    if service is None:
        raise NotFound(_("Testing service not found."), code="service_not_found")
    return service


def service_quote(*, service: TestingService, sample_count) -> dict:
    """Price and an estimated due date if the lab had the samples today."""
    try:
        count = int(sample_count)
    except (TypeError, ValueError):
        count = 0
    if not 1 <= count <= 1000:
        raise Invalid(
            _("Between 1 and %(n)d samples.") % {"n": 1000},
            code="invalid_sample_count",
            fields={"samples": [str(_("Enter a whole number of samples."))]},
        )
    due = working_days_due(timezone.localdate(), service.turnaround_days)
    return {
        "service": service.pk,
        "sample_count": count,
        "price_fen": service.price_fen,
        "price_unit": service.price_unit,
        "quote_fen": service.quote_fen(count),
        "turnaround_days": service.turnaround_days,
        "estimated_due_on": due.on,
        "estimated_due_provisional": due.provisional,
    }


class Median(Aggregate):
    """50th percentile, computed in the database: ``percentile_cont`` on PostgreSQL, a
    registered aggregate on SQLite (the embedded default)."""

    function = "MEDIAN"
    name = "Median"
    template = "%(function)s(%(expressions)s)"

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="percentile_cont(0.5) WITHIN GROUP (ORDER BY %(expressions)s)",
            **extra,
        )

    def as_sqlite(self, compiler, connection, **extra):
        connection.ensure_connection()
        connection.connection.create_aggregate("MEDIAN", 1, _SqliteMedian)
        return self.as_sql(compiler, connection, **extra)


class _SqliteMedian:
    def __init__(self) -> None:
        self.values: list[float] = []

    def step(self, value) -> None:
        if value is not None:
            self.values.append(value)

    def finalize(self):
        return statistics.median(self.values) if self.values else None


def turnaround_stats(*, scope: Scope, provider_ids, since: dt.date | None = None) -> list[dict]:
    """Per service of the given providers: reports issued, median days from samples
    received to report, and the share reported on or before the due date. One
    aggregate query (no Python loop over the requests)."""
    allowed = provider_ids if scope.is_admin else set(provider_ids) & scope.provider_ids
    since = since or timezone.localdate() - dt.timedelta(days=365)
    since_at = dt.datetime.combine(since, dt.time.min, tzinfo=timezone.get_current_timezone())
    took = ExpressionWrapper(
        F("reported_at") - F("samples_received_at"), output_field=DurationField()
    )
    rows = (
        ServiceRequest.objects.filter(
            service__provider_id__in=allowed,
            reported_at__isnull=False,
            samples_received_at__isnull=False,
            reported_at__gte=since_at,  # a plain range on the column, not a cast
        )
        .annotate(reported_on=TruncDate("reported_at"))
        .values("service_id", "service__name", "service__turnaround_days")
        .annotate(
            reports=Count("pk"),
            on_time=Count("pk", filter=Q(due_on__isnull=False, reported_on__lte=F("due_on"))),
            median=Median(took, output_field=DurationField()),
        )
        .order_by("service__name")
    )
    return [_stat_row(row) for row in rows]


def _stat_row(row: dict) -> dict:
    median = row["median"]
    if isinstance(median, int | float):  # SQLite hands back microseconds
        median = dt.timedelta(microseconds=median)
    return {
        "service_id": row["service_id"],
        "service_name": row["service__name"],
        "turnaround_days": row["service__turnaround_days"],
        "reports": row["reports"],
        "median_days": round(median.total_seconds() / 86400, 1) if median else None,
        "on_time_share": row["on_time"] / row["reports"] if row["reports"] else None,
    }
