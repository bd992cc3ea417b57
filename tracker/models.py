"""Usage events (one per completed order), the counters rolled up from them, targets,
and the record of each reconciliation. See docs/tracker.md."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, Region
from facilities.models import Category, Instrument, TestingService


class UsageKind(models.TextChoices):
    """The plan's two counters."""

    USE = "use", _("Instrument uses")
    BATCH = "batch", _("Service batches")


def _copied(model: type[models.Model], **options) -> models.ForeignKey:
    """A usage event's reference to what its order names (the firm, the instrument or
    service, its provider and category), copied from the order at completion. Neither
    enforced nor indexed here: the order's own PROTECTing foreign keys keep those rows
    (orders are never deleted, and an event exists only for a completed one), nothing
    reads events by them, and on the check-out's path each was a foreign-key check and,
    for the firm, instrument and service, an index insertion at a random place in a
    15 M-row index. DO_NOTHING: deleting an organisation or item does not scan the
    events (the orders' PROTECT has already refused it)."""
    return models.ForeignKey(
        model,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_index=False,
        db_constraint=False,
        **options,
    )


class UsageEvent(models.Model):
    """One completed order, counted once: unique per (order kind, order id).

    Inserted by the ``tracker.usage`` order-event subscriber in the completion's own
    transaction, with everything the counters break down by copied in, so that no
    dashboard query joins the orders. Never updated, never deleted.
    """

    order_kind = models.CharField(_("order kind"), max_length=16)
    order_id = models.BigIntegerField(_("order id"))
    kind = models.CharField(_("kind"), max_length=5, choices=UsageKind.choices)
    completed_at = models.DateTimeField(_("completed at"))
    completed_on = models.DateField(_("completed on"))  # Asia/Shanghai
    month = models.DateField(_("month"))  # first day of completed_on's month
    provider = _copied(Organisation)
    provider_county = models.CharField(_("provider's county"), max_length=6)
    provider_city = models.CharField(_("provider's city"), max_length=6)
    firm = _copied(Organisation)
    firm_county = models.CharField(_("firm's county"), max_length=6)
    firm_city = models.CharField(_("firm's city"), max_length=6)
    instrument = _copied(Instrument, null=True, blank=True)
    service = _copied(TestingService, null=True, blank=True)
    category = _copied(Category)
    firm_size = models.CharField(_("firm size"), max_length=10, blank=True)
    is_outside = models.BooleanField(_("outside the provider's organisation"))
    minutes = models.PositiveIntegerField(_("minutes of actual use"), default=0)
    samples = models.PositiveIntegerField(_("samples"), default=0)
    # Batches only: reported by the due date (None when the request had no due date).
    on_time = models.BooleanField(_("on time"), null=True, blank=True)
    fee_fen = models.BigIntegerField(_("fee (fen)"))
    voucher_fen = models.BigIntegerField(_("voucher part (fen)"), default=0)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("usage event")
        verbose_name_plural = _("usage events")
        constraints = [
            models.UniqueConstraint(fields=["order_kind", "order_id"], name="usage_once_per_order"),
            models.CheckConstraint(
                condition=Q(fee_fen__gte=0) & Q(voucher_fen__gte=0) & Q(voucher_fen__lte=F("fee_fen")),
                name="usage_money_sane",
            ),
            models.CheckConstraint(
                condition=(Q(kind="use", instrument__isnull=False, service__isnull=True)
                           | Q(kind="batch", service__isnull=False, instrument__isnull=True)),
                name="usage_item_matches_kind",
            ),
        ]  # fmt: skip
        indexes = [
            models.Index(fields=["completed_on"], name="usage_by_day"),
            models.Index(fields=["provider", "completed_on"], name="usage_by_provider"),
        ]

    def __str__(self) -> str:
        return f"{self.order_kind} #{self.order_id} ({self.completed_on})"


def _counted(model: type[models.Model]) -> models.ForeignKey:
    """A counter's reference to a provider, firm or category. Not enforced by the
    database: counters are derived data, rebuilt by reconciliation, and enforced they
    cost three checks per row at a rebuild's COMMIT (FirmMonth's rebuild at 15 M events:
    most of 681 s). Django still PROTECTs the rows they name."""
    return models.ForeignKey(
        model, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )


class _Sums(models.Model):
    """The measures every counter carries."""

    count = models.BigIntegerField(_("count"), default=0)
    minutes = models.BigIntegerField(_("minutes"), default=0)
    outside_count = models.BigIntegerField(_("outside count"), default=0)
    outside_minutes = models.BigIntegerField(_("outside minutes"), default=0)
    samples = models.BigIntegerField(_("samples"), default=0)
    fee_fen = models.BigIntegerField(_("fees (fen)"), default=0)
    voucher_fen = models.BigIntegerField(_("voucher part (fen)"), default=0)

    class Meta:
        abstract = True


class DailyUsage(_Sums):
    """Day × provider's county × kind: target progress and the daily/monthly series."""

    day = models.DateField()
    kind = models.CharField(max_length=5, choices=UsageKind.choices)
    county = models.CharField(max_length=6)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "kind", "county"], name="daily_usage_key")
        ]
        # Day range first: a region is a range of county codes, and with the county
        # leading a province-wide read scanned every day of every county.
        indexes = [models.Index(fields=["kind", "day", "county"], name="daily_usage_by_kind_day")]


class RegionMonthlyUsage(_Sums):
    """Month × county × firm size × kind: the dashboard's unfiltered breakdowns (city,
    county, size, month, year) and totals. A few thousand rows a year, whatever the
    platform's size; the finer MonthlyUsage is read only for provider/category filters."""

    month = models.DateField()
    kind = models.CharField(max_length=5, choices=UsageKind.choices)
    county = models.CharField(max_length=6)
    firm_size = models.CharField(max_length=10, blank=True)

    # On PostgreSQL also ``region_monthly_counts`` (kind, month, county) INCLUDE (count),
    # migration 0013: a target's months are then an index-only scan (a three-year
    # province target: 6,466 rows, 7.7 → 1.9 ms). Not declared here: SQLite has no
    # covering indexes, and Django warns of one it would ignore.

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["month", "kind", "county", "firm_size"], name="region_monthly_usage_key"
            )
        ]


class _CityCounts(models.Model):
    """A kind's completions in one city (the provider's), for the targets of the province
    and of a city: a city's eleventh of the county rows a target read (a three-year
    province target: 6,466 rows of RegionMonthlyUsage a kind, 4 ms at 15 M events; the
    month it was met, 2,790 daily rows a kind, 2 ms)."""

    kind = models.CharField(max_length=5, choices=UsageKind.choices)
    city = models.CharField(max_length=6)
    count = models.BigIntegerField(default=0)

    class Meta:
        abstract = True


class CityMonthlyUsage(_CityCounts):
    """Month × provider's city × kind."""

    month = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["month", "kind", "city"], name="city_monthly_usage_key")
        ]


class CityDailyUsage(_CityCounts):
    """Day × provider's city × kind: the partial months at a target's ends and the days
    of the month it was met in."""

    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "kind", "city"], name="city_daily_usage_key")
        ]


class MonthlyUsage(_Sums):
    """Month × county × provider × category × firm size × kind: every breakdown, filtered."""

    month = models.DateField()
    kind = models.CharField(max_length=5, choices=UsageKind.choices)
    county = models.CharField(max_length=6)
    provider = _counted(Organisation)
    category = _counted(Category)
    firm_size = models.CharField(max_length=10, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["month", "kind", "county", "provider", "category", "firm_size"],
                name="monthly_usage_key",
            )
        ]
        indexes = [
            models.Index(fields=["provider", "month"], name="monthly_usage_by_provider"),
            models.Index(fields=["category", "month"], name="monthly_usage_by_category"),
        ]


class ItemMonthlyUsage(_Sums):
    """Month × instrument (uses) or testing service (batches): top items and their hours."""

    month = models.DateField()
    kind = models.CharField(max_length=5, choices=UsageKind.choices)
    item_id = models.BigIntegerField()  # an Instrument's id (uses) or a TestingService's
    county = models.CharField(max_length=6)
    provider = _counted(Organisation)
    category = _counted(Category)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["month", "kind", "item_id", "county", "provider", "category"],
                name="item_monthly_usage_key",
            )
        ]
        indexes = [models.Index(fields=["provider", "month"], name="item_usage_by_provider")]


class FirmMonth(models.Model):
    """Month × firm × where it was served: distinct firms served and new firms, filtered."""

    month = models.DateField()
    kind = models.CharField(max_length=5, choices=UsageKind.choices)
    firm = _counted(Organisation)
    county = models.CharField(max_length=6)
    provider = _counted(Organisation)
    category = _counted(Category)
    firm_size = models.CharField(max_length=10, blank=True)
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["month", "kind", "firm", "county", "provider", "category", "firm_size"],
                name="firm_month_key",
            )
        ]
        indexes = [
            models.Index(fields=["firm", "month"], name="firm_month_by_firm"),
            # Firms served under a provider or category filter (distinct over these rows).
            models.Index(fields=["provider", "month"], name="firm_month_by_provider"),
            models.Index(fields=["category", "month"], name="firm_month_by_category"),
        ]


class ProviderMonthlyUsage(_Sums):
    """Month × provider (and its county) × kind: top providers, breakdowns by provider,
    and every time/region breakdown under a provider filter. One row per provider and
    month that had use: tens of thousands a year, not millions."""

    month = models.DateField()
    kind = models.CharField(max_length=5, choices=UsageKind.choices)
    county = models.CharField(max_length=6)
    provider = _counted(Organisation)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["month", "kind", "county", "provider"], name="provider_monthly_usage_key"
            )
        ]
        indexes = [models.Index(fields=["provider", "month"], name="provider_usage_by_provider")]


class CategoryMonthlyUsage(_Sums):
    """Month × category × provider's county × kind: breakdowns by category, and every
    time/region breakdown under a category filter."""

    month = models.DateField()
    kind = models.CharField(max_length=5, choices=UsageKind.choices)
    county = models.CharField(max_length=6)
    category = _counted(Category)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["month", "kind", "county", "category"], name="category_monthly_usage_key"
            )
        ]
        indexes = [models.Index(fields=["category", "month"], name="category_usage_by_category")]


class CategoryYearlyUsage(_Sums):
    """Year × category × provider's county × kind: breakdowns by category over whole
    years (edge months from CategoryMonthlyUsage). At 15 M events a year of
    CategoryMonthlyUsage is ~10,000 rows of one kind, whose seven sums (numeric, as
    PostgreSQL sums bigint) cost 5 ms a breakdown; a year here is a twelfth of that."""

    year = models.DateField()  # 1 January
    kind = models.CharField(max_length=5, choices=UsageKind.choices)
    county = models.CharField(max_length=6)
    category = _counted(Category)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["year", "kind", "county", "category"], name="category_yearly_usage_key"
            )
        ]


class FirstServed(models.Model):
    """A firm's first completed order of a kind (``kind`` "" : of either kind), and where
    it was: "new firms in the period" is a range count on ``month``. Kept by the
    subscriber with ``ON CONFLICT (firm, kind) DO UPDATE … WHERE`` the new event is
    earlier, so an event recorded late (a repair, a backfill) still moves the first back;
    ties go to the lower event id."""

    firm = _counted(Organisation)
    kind = models.CharField(max_length=5, blank=True)  # "use", "batch" or "" (either)
    first_at = models.DateTimeField()
    event_id = models.BigIntegerField()
    month = models.DateField()
    county = models.CharField(max_length=6)
    provider = _counted(Organisation)
    category = _counted(Category)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["firm", "kind"], name="first_served_key")]
        indexes = [models.Index(fields=["kind", "month", "county"], name="first_served_by_month")]


class ProviderYearlyUsage(_Sums):
    """Year × provider (and its county) × kind: top providers of a period made of whole
    years (its edge months from ProviderMonthlyUsage). ~10,000 rows a year at 5,000
    providers, where a year of ProviderMonthlyUsage is ~120,000."""

    year = models.DateField()  # 1 January
    kind = models.CharField(max_length=5, choices=UsageKind.choices)
    county = models.CharField(max_length=6)
    provider = _counted(Organisation)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["year", "kind", "county", "provider"], name="provider_yearly_usage_key"
            )
        ]
        # The winners' measures (a ranking's second step) by provider, not the year's rows.
        indexes = [models.Index(fields=["provider", "year"], name="provider_yearly_by_provider")]


class ProviderYearRank(models.Model):
    """Year × provider (and its city): its completions of both kinds that year, for the
    province's or a city's top providers read down an index on count (ProviderYearlyUsage
    made them a sum of its 10,000 rows of a year, 5 ms at 15 M events)."""

    year = models.DateField()  # 1 January
    city = models.CharField(max_length=6)
    provider = _counted(Organisation)
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["year", "city", "provider"], name="provider_year_rank_key"
            )
        ]
        indexes = [
            models.Index(fields=["year", "-count", "provider"], name="provider_year_rank_by_count")
        ]


class ProviderCategoryYear(_Sums):
    """Year × provider (and its county) × category × kind: top providers under a category
    filter over whole years (edge months from MonthlyUsage, which a category's year
    otherwise was: ~66,000 rows at 15 M events)."""

    year = models.DateField()  # 1 January
    kind = models.CharField(max_length=5, choices=UsageKind.choices)
    county = models.CharField(max_length=6)
    provider = _counted(Organisation)
    category = _counted(Category)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["year", "kind", "county", "provider", "category"],
                name="provider_category_year_key",
            )
        ]
        indexes = [models.Index(fields=["category", "year"], name="provider_category_by_category")]


class CategorySizeYear(_Sums):
    """Year × category × firm size (with the provider's county) × kind: the firm-size
    breakdown under a category filter over whole years (edge months from MonthlyUsage,
    where a category's year was ~66,000 rows at 15 M events: 160 ms)."""

    year = models.DateField()  # 1 January
    kind = models.CharField(max_length=5, choices=UsageKind.choices)
    county = models.CharField(max_length=6)
    category = _counted(Category)
    firm_size = models.CharField(max_length=10, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["year", "kind", "county", "category", "firm_size"],
                name="category_size_year_key",
            )
        ]
        indexes = [models.Index(fields=["category", "year"], name="category_size_by_category")]


class ItemYearlyUsage(_Sums):
    """Year × instrument or testing service (with its county, provider, category) × kind:
    top items of whole years (edge months from ItemMonthlyUsage): one row per item and
    year, where ItemMonthlyUsage has one per month."""

    year = models.DateField()  # 1 January
    kind = models.CharField(max_length=5, choices=UsageKind.choices)
    item_id = models.BigIntegerField()
    county = models.CharField(max_length=6)
    provider = _counted(Organisation)
    category = _counted(Category)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["year", "kind", "item_id", "county", "provider", "category"],
                name="item_yearly_usage_key",
            )
        ]


class _ItemRank(models.Model):
    """An item's count alone, keyed by nothing but period, kind and item: the province's
    top items are then read down an index on count (tracker.selectors.ranks) instead of
    summing a period of ItemYearlyUsage (~50,000 rows a year at 15 M events), whose
    wider key only serves the filters."""

    kind = models.CharField(max_length=5, choices=UsageKind.choices)
    item_id = models.BigIntegerField()
    count = models.BigIntegerField(default=0)

    class Meta:
        abstract = True


class ItemYearRank(_ItemRank):
    """Year × kind × instrument or testing service: its completions that year."""

    year = models.DateField()  # 1 January

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["year", "kind", "item_id"], name="item_year_rank_key")
        ]
        indexes = [
            models.Index(
                fields=["year", "kind", "-count", "item_id"], name="item_year_rank_by_count"
            )
        ]


class ItemMonthRank(_ItemRank):
    """Month × kind × instrument or testing service: the months at a period's edges."""

    month = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["month", "kind", "item_id"], name="item_month_rank_key")
        ]
        indexes = [
            models.Index(
                fields=["month", "kind", "-count", "item_id"], name="item_month_rank_by_count"
            )
        ]


class _FirmCounts(models.Model):
    """How many of a firm's completions fell in the row's year, in all and per kind: a
    firm served (of a kind) is a row (with that kind's count above 0)."""

    year = models.DateField()  # 1 January
    firm = _counted(Organisation)
    count = models.BigIntegerField(default=0)
    use_count = models.BigIntegerField(default=0)
    batch_count = models.BigIntegerField(default=0)

    class Meta:
        abstract = True


class FirmYear(_FirmCounts):
    """Year × firm: firms served in a calendar year (anywhere) is a row count."""

    class Meta:
        constraints = [models.UniqueConstraint(fields=["year", "firm"], name="firm_year_key")]


class FirmCityYear(_FirmCounts):
    """Year × the provider's city × firm: firms served in a calendar year in one city is
    a row count (a firm served in three cities has three rows)."""

    city = models.CharField(max_length=6)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["year", "city", "firm"], name="firm_city_year_key")
        ]


class FirmCategoryYear(_FirmCounts):
    """Year × the order's category × firm: firms served in a calendar year in one
    category is a row count (distinct firms over a category's subtree)."""

    category = _counted(Category)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["year", "category", "firm"], name="firm_category_year_key"
            )
        ]


class FirmsServedYear(models.Model):
    """How many firms were served in a calendar year, everywhere (``city`` "") or in one
    provider's city, of a kind (``kind`` "": of either): the rows of FirmYear and
    FirmCityYear counted, kept by the fold (``tracker.counters.FIRMS_SERVED``) as it adds
    their rows, so "firms served this year" is one row, not a count of ~200,000."""

    year = models.DateField()  # 1 January
    city = models.CharField(max_length=6, blank=True)
    kind = models.CharField(max_length=5, blank=True)
    firms = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["year", "city", "kind"], name="firms_served_year_key")
        ]


class FirmsServedCategoryYear(models.Model):
    """How many firms were served in a calendar year in one category (province-wide), of
    a kind (``kind`` "": of either): FirmCategoryYear's rows counted, kept by the fold
    (``tracker.counters.FIRMS_SERVED_BY_CATEGORY``) as it adds them, so a category's
    firms served in a year is one row, not a count of ~100,000 (15 ms at 15 M events)."""

    year = models.DateField()  # 1 January
    category = _counted(Category)
    kind = models.CharField(max_length=5, blank=True)
    firms = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["year", "category", "kind"], name="firms_served_category_year_key"
            )
        ]


class UnfoldedEvent(models.Model):
    """A usage event not yet added to the counters (tracker.counters.COUNTERS).

    The completion inserts the event and queues it here in its own transaction;
    ``tracker.services.fold`` later takes a batch off this queue and adds it to every
    counter in one transaction. A batch is folded whole or not at all, so every event is
    counted exactly once in every table; reconciliation leaves the queued events out of
    what the counters should hold."""

    # Not enforced: the queue row is written by the same statement as its event, in
    # the same transaction, and events are never deleted; the check was one more
    # trigger on every check-out.
    event = models.OneToOneField(
        UsageEvent,
        primary_key=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
    )

    def __str__(self) -> str:
        return f"unfolded event {self.event_id}"


class Target(models.Model):
    """A count to reach in a region over a period: the plan's two, or a department's own."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=5, choices=UsageKind.choices)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    starts_on = models.DateField(_("period start"))
    ends_on = models.DateField(_("period end"))
    target_count = models.PositiveIntegerField(_("target"))
    # The department that set it; None for the plan's own targets (seeded).
    department = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("set by"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        ordering = ["starts_on", "kind", "region_id", "pk"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="target_period"),
            models.CheckConstraint(condition=Q(target_count__gt=0), name="target_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class ReconciliationRun(models.Model):
    """One recount of events from the orders and of counters from the events."""

    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    period_from = models.DateField(_("from"), null=True, blank=True)
    period_to = models.DateField(_("to"), null=True, blank=True)
    differences = models.PositiveIntegerField(_("differences found"), default=0)
    repaired = models.BooleanField(_("repaired"), default=False)
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("reconciliation run")
        verbose_name_plural = _("reconciliation runs")

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} ({self.differences})"
