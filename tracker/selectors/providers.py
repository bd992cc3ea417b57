"""A provider's sharing figures, as the national open-sharing evaluation asks for them,
from the session logs (through the usage events) and the bookings.

Per instrument: effective working hours (有效工作机时: hours of completed sessions),
outside-service hours (对外服务机时: for users outside the provider's organisation), the
sharing rate (共享率 = outside ÷ effective), utilisation (利用率 = effective ÷ the yearly
basis, prorated to the period), bookings, no-show rate, firms served. Per testing service:
batches, samples, on-time rate.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Case, Count, IntegerField, Q, Sum, When
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation, User
from accounts.scoping import Scope
from booking.models import Booking
from config.db_router import replica_alias
from config.errors import Invalid, NotFound
from facilities.models import Instrument, TestingService
from tracker.models import UsageEvent, UsageKind


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def provider_statistics_access(*, actor: User, provider_id: int) -> Organisation:
    """The provider, if ``actor`` manages it or reviews its region; else 404."""
    scope = Scope.for_user(actor)
    provider = Organisation.objects.filter(pk=provider_id, kind=Organisation.Kind.PROVIDER).first()
    if provider is None or not (
        scope.can_manage_provider(provider.pk)
        or (scope.is_reviewer and scope.covers_region(provider.region_id))
    ):
        raise NotFound(_("No such provider."), code="provider_not_found")
    return provider


def statistics_period(start: dt.date | None, end: dt.date | None) -> Period:
    """The period asked for; by default this year up to today."""
    today = timezone.localdate()
    period = Period(start or today.replace(month=1, day=1), end or today)
    if period.end < period.start:
        raise Invalid(_("The end of the period is before its start."), code="period_reversed")
    return period


def provider_statistics(
    *, actor: User, provider_id: int, start: dt.date | None = None, end: dt.date | None = None
) -> dict:
    """{provider, period, instruments: [...], services: [...]} for one provider."""
    provider = provider_statistics_access(actor=actor, provider_id=provider_id)
    period = statistics_period(start, end)
    return {
        "provider": provider,
        "period": period,
        "instruments": instrument_statistics(provider.pk, period),
        "services": service_statistics(provider.pk, period),
    }


def _events(provider_id: int, period: Period, kind: str):
    return UsageEvent.objects.using(replica_alias()).filter(
        provider_id=provider_id,
        kind=kind,
        completed_on__gte=period.start,
        completed_on__lte=period.end,
    )


def _ratio(part: float, whole: float) -> float | None:
    return round(part / whole, 4) if whole else None


def instrument_statistics(provider_id: int, period: Period) -> list[dict]:
    db = replica_alias()
    used = {
        r["instrument_id"]: r
        for r in _events(provider_id, period, UsageKind.USE)
        .values("instrument_id")
        .annotate(
            uses=Count("id"),
            used_minutes=Sum("minutes"),
            outside_used_minutes=Sum(
                Case(When(is_outside=True, then="minutes"), default=0, output_field=IntegerField())
            ),
            firms=Count("firm_id", distinct=True),
        )
    }
    booked = _bookings_by_instrument(provider_id, period)
    basis = settings.TRACKER_UTILISATION_BASIS_HOURS * period.days / 365
    rows = []
    instruments = Instrument.objects.using(db).filter(provider_id=provider_id)
    for pk, name, model_number in instruments.values_list("pk", "name", "model_number"):
        u, b = used.get(pk, {}), booked.get(pk, {})
        hours = (u.get("used_minutes") or 0) / 60
        outside = (u.get("outside_used_minutes") or 0) / 60
        finished = b.get("completed", 0) + b.get("no_show", 0)
        rows.append(
            {
                "instrument_id": pk,
                "name": name,
                "model_number": model_number,
                "uses": u.get("uses", 0),
                "effective_hours": round(hours, 1),
                "outside_hours": round(outside, 1),
                "sharing_rate": _ratio(outside, hours),
                "utilisation": _ratio(hours, basis),
                "bookings": b.get("total", 0),
                "no_shows": b.get("no_show", 0),
                "no_show_rate": _ratio(b.get("no_show", 0), finished),
                "firms_served": u.get("firms", 0),
            }
        )
    return rows


def _bookings_by_instrument(provider_id: int, period: Period) -> dict[int, dict[str, int]]:
    """Bookings starting in the period, per instrument: total, completed and no-shows."""
    tz = timezone.get_default_timezone()
    start = dt.datetime.combine(period.start, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    rows = (
        Booking.objects.using(replica_alias())
        .filter(instrument__provider_id=provider_id, start_at__gte=start, start_at__lt=end)
        .values("instrument_id")
        .annotate(
            total=Count("id"),
            completed=Count("id", filter=Q(status=Booking.Status.COMPLETED)),
            no_show=Count("id", filter=Q(status=Booking.Status.NO_SHOW)),
        )
    )
    return {r["instrument_id"]: r for r in rows}


def service_statistics(provider_id: int, period: Period) -> list[dict]:
    done = {
        r["service_id"]: r
        for r in _events(provider_id, period, UsageKind.BATCH)
        .values("service_id")
        .annotate(
            batches=Count("id"),
            sample_total=Sum("samples"),
            on_time_count=Count("id", filter=Q(on_time=True)),
            with_due=Count("id", filter=Q(on_time__isnull=False)),
            firms=Count("firm_id", distinct=True),
        )
    }
    services = TestingService.objects.using(replica_alias()).filter(provider_id=provider_id)
    rows = []
    for pk, name in services.order_by("name", "pk").values_list("pk", "name"):
        d = done.get(pk, {})
        rows.append(
            {
                "service_id": pk,
                "name": name,
                "batches": d.get("batches", 0),
                "samples": d.get("sample_total") or 0,
                "on_time_rate": _ratio(d.get("on_time_count", 0), d.get("with_due", 0)),
                "firms_served": d.get("firms", 0),
            }
        )
    return rows
