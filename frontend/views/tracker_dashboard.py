"""What the department's dashboard shows, built from the tracker's selectors.

Each ``*_section`` returns the section's Table (printed beside its chart, and what the
export writes) and the chart's data. The export view builds one section by its slug
through ``SECTIONS``, with the same filters, so a spreadsheet equals the page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from django.templatetags.static import static
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import FirmProfile
from frontend.views.tracker_tables import Column, Table
from tracker.models import UsageKind
from tracker.selectors.filters import PROVINCE, UsageFilters, months_between
from tracker.selectors.progress import Status, target_progress_list
from tracker.selectors.usage import (
    firms_served,
    usage_breakdown,
    usage_headline_and_totals,
    usage_top_items,
    usage_top_providers,
)

STATUS_LABELS = {
    Status.NOT_STARTED: gettext_lazy("Not started"),
    Status.MET: gettext_lazy("Met"),
    Status.ON_TRACK: gettext_lazy("On track"),
    Status.BEHIND: gettext_lazy("Behind"),
    Status.MISSED: gettext_lazy("Missed"),
}
STATUS_COLOURS = {
    Status.NOT_STARTED: "secondary",
    Status.MET: "success",
    Status.ON_TRACK: "success",
    Status.BEHIND: "warning",
    Status.MISSED: "danger",
}


@dataclass
class Section:
    table: Table
    chart: dict | None = None
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Ctx:
    """What every section needs: who reads, the filters, today, the query string."""

    actor: object
    filters: UsageFilters
    today: dt.date
    params: dict  # the filter bar's choices, for links that change one of them
    base_url: str = ""

    def link(self, **changes) -> str:
        params = {**self.params, **changes}
        return f"{self.base_url}?{urlencode({k: v for k, v in params.items() if v})}"


def _kind_label(kind: str) -> str:
    return str(UsageKind(kind).label)


# --- Targets ---------------------------------------------------------------------


def _target_series(ctx: Ctx, progress) -> dict:
    """Cumulative count month by month against a straight target line, and the
    projection at the current pace from this month to the period's end (the months'
    counts are the progress's own, so the line ends at the achieved figure)."""
    target = progress.target
    counts = dict(progress.months)
    months = months_between(target.starts_on, target.ends_on)
    total_days = progress.total_days
    this_month = ctx.today.replace(day=1)
    actual, line, projection = [], [], []
    running = 0
    for month in months:
        running += counts.get(month, 0)
        month_end = _month_end(month)
        elapsed = min(total_days, max(0, (month_end - target.starts_on).days + 1))
        line.append(round(target.target_count * elapsed / total_days))
        actual.append(running if month <= this_month else None)
        if month < this_month:
            projection.append(None)
        elif month == this_month:
            projection.append(running)
        else:
            days = (min(month_end, target.ends_on) - ctx.today).days
            projection.append(
                round(progress.achieved + progress.current_pace_per_day * max(0, days))
            )
    return {
        "labels": [m.strftime("%Y-%m") for m in months],
        "series": [
            {"name": _("Achieved (cumulative)"), "values": actual, "style": "area"},
            {"name": _("Target line"), "values": line, "style": "dashed"},
            {"name": _("Projection at the current pace"), "values": projection, "style": "dashed"},
        ],
    }


def _month_end(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def targets_section(ctx: Ctx) -> Section:
    cards = []
    table = Table(
        "targets",
        gettext_lazy("Targets"),
        [
            Column(gettext_lazy("Target")),
            Column(gettext_lazy("Kind")),
            Column(gettext_lazy("Region")),
            Column(gettext_lazy("Period")),
            Column(gettext_lazy("Achieved"), "int"),
            Column(gettext_lazy("Target"), "int"),
            Column(gettext_lazy("Achieved %"), "percent"),
            Column(gettext_lazy("Period elapsed %"), "percent"),
            Column(gettext_lazy("Needed per month"), "int"),
            Column(gettext_lazy("Projected at the end"), "int"),
            Column(gettext_lazy("Projected date met")),
            Column(gettext_lazy("Shortfall at the end"), "int"),
            Column(gettext_lazy("Status")),
        ],
    )
    for progress in target_progress_list(actor=ctx.actor, filters=ctx.filters, on=ctx.today):
        t = progress.target
        met_on = progress.met_on or progress.projected_met_on
        table.rows.append(
            [
                t.name,
                _kind_label(t.kind),
                str(t.region),
                f"{t.starts_on:%Y-%m-%d} – {t.ends_on:%Y-%m-%d}",
                progress.achieved,
                t.target_count,
                progress.percent_achieved,
                progress.percent_elapsed,
                round(progress.pace_needed_per_month)
                if progress.pace_needed_per_month is not None
                else None,
                progress.projected_total,
                met_on.isoformat() if met_on else None,
                progress.shortfall,
                str(STATUS_LABELS[progress.status]),
            ]
        )
        cards.append(
            {
                "progress": progress,
                "status_label": STATUS_LABELS[progress.status],
                "status_colour": STATUS_COLOURS[progress.status],
                "gauge": {
                    "percent": progress.percent_achieved,
                    "elapsed_percent": progress.percent_elapsed,
                    "label": _("achieved"),
                    "elapsed_label": _("period elapsed"),
                },
                "line": _target_series(ctx, progress),
                "gauge_id": f"gauge-{t.pk}",
                "line_id": f"line-{t.pk}",
            }
        )
    return Section(table, extra={"cards": cards})


# --- Headline figures --------------------------------------------------------------


def headline_section(ctx: Ctx) -> Section:
    headline, totals = usage_headline_and_totals(filters=ctx.filters, on=ctx.today)
    served = firms_served(filters=ctx.filters)
    kinds = [ctx.filters.kind] if ctx.filters.kind else list(UsageKind.values)
    table = Table(
        "headline",
        gettext_lazy("Figures"),
        [
            Column(gettext_lazy("Kind")),
            Column(gettext_lazy("This month"), "int"),
            Column(gettext_lazy("This year"), "int"),
            Column(gettext_lazy("Last 12 months"), "int"),
            Column(gettext_lazy("In the period"), "int"),
            Column(gettext_lazy("Hours of use"), "hours"),
            Column(gettext_lazy("Samples"), "int"),
            Column(gettext_lazy("Fees"), "fen"),
            Column(gettext_lazy("Voucher part"), "fen"),
        ],
    )
    for kind in kinds:
        h, t = headline[kind], totals[kind]
        table.rows.append(
            [
                _kind_label(kind),
                h["this_month"],
                h["this_year"],
                h["last_12_months"],
                t["count"],
                t["hours"],
                t["samples"],
                t["fee_fen"],
                t["voucher_fen"],
            ]
        )
    fee = sum(totals[k]["fee_fen"] for k in kinds)
    voucher = sum(totals[k]["voucher_fen"] for k in kinds)
    extra = {
        "totals": {k: totals[k] for k in kinds},
        "headline": {k: headline[k] for k in kinds},
        "firms": served,
        "fee_fen": fee,
        "voucher_fen": voucher,
        "voucher_share": round(100 * voucher / fee, 1) if fee else None,
    }
    return Section(table, extra=extra)


# --- Map and regions ---------------------------------------------------------------


def map_level(ctx: Ctx) -> tuple[str, str]:
    """(``province`` or ``city``, the map's region code): a chosen city or county, or a
    reader who covers one city only, drills into that city's counties."""
    code = ctx.filters.region
    if not code and len(ctx.filters.regions) == 1:
        code = ctx.filters.regions[0]
    if not code or code == PROVINCE or code.endswith("0000"):
        return "province", PROVINCE
    return "city", code[:4] + "00"


def map_metric(ctx: Ctx) -> str:
    if ctx.filters.kind:
        return ctx.filters.kind
    return UsageKind.BATCH if ctx.params.get("metric") == UsageKind.BATCH else UsageKind.USE


def regions_section(ctx: Ctx) -> Section:
    level, code = map_level(ctx)
    by = "city" if level == "province" else "county"
    filters = ctx.filters
    if level == "city" and not filters.region:
        filters = replace(filters, region=code)
    rows = usage_breakdown(filters=filters, by=by)
    grouped = _by_key(rows)
    metric = map_metric(ctx)
    table = Table(
        "regions",
        gettext_lazy("By city") if by == "city" else gettext_lazy("By county"),
        [
            Column(gettext_lazy("City") if by == "city" else gettext_lazy("County")),
            Column(gettext_lazy("Instrument uses"), "int"),
            Column(gettext_lazy("Service batches"), "int"),
            Column(gettext_lazy("Fees"), "fen"),
            Column(gettext_lazy("Voucher part"), "fen"),
        ],
    )
    regions = []
    for key, g in sorted(grouped.items(), key=lambda kv: -kv[1]["total"]):
        table.rows.append(
            [g["label"], g[UsageKind.USE], g[UsageKind.BATCH], g["fee_fen"], g["voucher_fen"]]
        )
        table.links.append(ctx.link(region=key))
    for key, g in grouped.items():
        regions.append(
            {
                "code": key,
                "label": g["label"],
                "short": _short(g["label"]),
                "value": g[metric],
                "url": ctx.link(region=key),
            }
        )
    chart = {
        "geojson_url": static(f"frontend/maps/{'zhejiang' if level == 'province' else code}.json"),
        "map_name": code,
        "name": _kind_label(metric),
        "regions": regions,
        "high_label": _("More"),
        "low_label": _("Fewer"),
    }
    extra = {
        "level": level,
        "code": code,
        "metric": metric,
        "metric_links": {k: ctx.link(metric=k) for k in UsageKind.values},
        # A chosen city or county goes back up to the reader's whole region.
        "up_url": ctx.link(region="") if ctx.filters.region else "",
    }
    return Section(table, chart, extra)


def _by_key(rows: list[dict]) -> dict:
    grouped: dict = {}
    for r in rows:
        g = grouped.setdefault(
            r["key"],
            {"label": r["label"], UsageKind.USE: 0, UsageKind.BATCH: 0, "fee_fen": 0,
             "voucher_fen": 0, "total": 0},
        )  # fmt: skip
        g[r["kind"]] += r["count"]
        g["fee_fen"] += r["fee_fen"]
        g["voucher_fen"] += r["voucher_fen"]
        g["total"] += r["count"]
    return grouped


def _short(label: str) -> str:
    """杭州市 → 杭州 on the map, where space is short; English names stay whole."""
    if len(label) > 2 and label[-1] in "市县区" and not label.isascii():
        return label[:-1]
    return label


# --- Month by month ----------------------------------------------------------------


def trend_section(ctx: Ctx) -> Section:
    filters = ctx.filters
    # All time: month by month would be a hundred bars; year by year reads better.
    fmt = "year" if filters.start is None else "month"
    grouped: dict = {}
    for r in usage_breakdown(filters=filters, by=fmt):
        grouped.setdefault(r["label"], {UsageKind.USE: 0, UsageKind.BATCH: 0})[r["kind"]] += r[
            "count"
        ]
    kinds = [filters.kind] if filters.kind else list(UsageKind.values)
    table = Table(
        "trend",
        gettext_lazy("Year by year") if fmt == "year" else gettext_lazy("Month by month"),
        [Column(gettext_lazy("Year") if fmt == "year" else gettext_lazy("Month"))]
        + [Column(UsageKind(k).label, "int") for k in kinds],
    )
    for label in sorted(grouped):
        table.rows.append([label, *(grouped[label][k] for k in kinds)])
    chart = {
        "labels": [row[0] for row in table.rows],
        "series": [
            {"name": _kind_label(k), "values": [row[i + 1] for row in table.rows]}
            for i, k in enumerate(kinds)
        ],
    }
    return Section(table, chart)


# --- Breakdowns --------------------------------------------------------------------


def _bars(table: Table, name: str, value_column: int = 1) -> dict:
    return {
        "name": name,
        "labels": [row[0] for row in table.rows],
        "values": [row[value_column] for row in table.rows],
    }


def providers_section(ctx: Ctx) -> Section:
    grouped = _by_key(usage_top_providers(filters=ctx.filters, limit=10))
    top = sorted(grouped.items(), key=lambda kv: (-kv[1]["total"], str(kv[0])))[:10]
    table = Table(
        "providers",
        gettext_lazy("Top providers"),
        [
            Column(gettext_lazy("Provider")),
            Column(gettext_lazy("Instrument uses"), "int"),
            Column(gettext_lazy("Service batches"), "int"),
            Column(gettext_lazy("Fees"), "fen"),
        ],
    )
    for key, g in top:
        table.rows.append([g["label"], g[UsageKind.USE], g[UsageKind.BATCH], g["fee_fen"]])
        table.links.append(ctx.link(provider=str(key)))
    chart = {
        "name": _("Uses and batches"),
        "labels": [row[0] for row in table.rows],
        "values": [row[1] + row[2] for row in table.rows],
    }
    return Section(table, chart)


def _category_section(ctx: Ctx, kind: str, slug: str, title) -> Section | None:
    if ctx.filters.kind and ctx.filters.kind != kind:
        return None
    rows = usage_breakdown(filters=replace(ctx.filters, kind=kind), by="category", limit=12)
    measure = gettext_lazy("Hours of use") if kind == UsageKind.USE else gettext_lazy("Samples")
    table = Table(
        slug,
        title,
        [Column(gettext_lazy("Category")), Column(UsageKind(kind).label, "int"),
         Column(measure, "hours" if kind == UsageKind.USE else "int"), Column(gettext_lazy("Fees"), "fen")],
    )  # fmt: skip
    for r in rows:
        measure_value = r["hours"] if kind == UsageKind.USE else r["samples"]
        table.rows.append([r["label"], r["count"], measure_value, r["fee_fen"]])
        table.links.append(ctx.link(category=str(r["key"])))
    return Section(table, _bars(table, _kind_label(kind)))


def instrument_categories_section(ctx: Ctx) -> Section | None:
    return _category_section(
        ctx, UsageKind.USE, "instrument-categories", gettext_lazy("By instrument category")
    )


def service_categories_section(ctx: Ctx) -> Section | None:
    return _category_section(
        ctx, UsageKind.BATCH, "service-categories", gettext_lazy("By service category")
    )


def firm_sizes_section(ctx: Ctx) -> Section:
    rows = usage_breakdown(filters=ctx.filters, by="firm_size")
    grouped: dict = {}
    for r in rows:
        g = grouped.setdefault(r["key"], {UsageKind.USE: 0, UsageKind.BATCH: 0, "fee_fen": 0})
        g[r["kind"]] += r["count"]
        g["fee_fen"] += r["fee_fen"]
    table = Table(
        "firm-sizes",
        gettext_lazy("By firm size"),
        [
            Column(gettext_lazy("Firm size")),
            Column(gettext_lazy("Instrument uses"), "int"),
            Column(gettext_lazy("Service batches"), "int"),
            Column(gettext_lazy("Fees"), "fen"),
        ],
    )
    for key in [k for k in FirmProfile.Size.values if k in grouped] + [
        k for k in grouped if k not in FirmProfile.Size.values
    ]:
        g = grouped[key]
        label = str(FirmProfile.Size(key).label) if key in FirmProfile.Size.values else _("Unknown")
        table.rows.append([label, g[UsageKind.USE], g[UsageKind.BATCH], g["fee_fen"]])
    chart = {
        "name": _("Uses and batches"),
        "labels": [row[0] for row in table.rows],
        "values": [row[1] + row[2] for row in table.rows],
    }
    return Section(table, chart)


def _top_items_section(ctx: Ctx, kind: str, slug: str, title, item_label) -> Section | None:
    if ctx.filters.kind and ctx.filters.kind != kind:
        return None
    rows = usage_top_items(filters=ctx.filters, kind=kind, limit=10)
    table = Table(
        slug,
        title,
        [Column(item_label), Column(gettext_lazy("Provider")), Column(UsageKind(kind).label, "int"),
         Column(gettext_lazy("Hours of use") if kind == UsageKind.USE else gettext_lazy("Samples"),
                "hours" if kind == UsageKind.USE else "int")],
    )  # fmt: skip
    for r in rows:
        measure = r["hours"] if kind == UsageKind.USE else r["samples"]
        table.rows.append([r["label"], r["provider"], r["count"], measure])
    return Section(table, _bars(table, _kind_label(kind), value_column=2))


def top_instruments_section(ctx: Ctx) -> Section | None:
    return _top_items_section(
        ctx,
        UsageKind.USE,
        "top-instruments",
        gettext_lazy("Top instruments"),
        gettext_lazy("Instrument"),
    )


def top_services_section(ctx: Ctx) -> Section | None:
    return _top_items_section(
        ctx,
        UsageKind.BATCH,
        "top-services",
        gettext_lazy("Top testing services"),
        gettext_lazy("Testing service"),
    )


SECTIONS = {
    "targets": targets_section,
    "headline": headline_section,
    "regions": regions_section,
    "trend": trend_section,
    "providers": providers_section,
    "instrument-categories": instrument_categories_section,
    "service-categories": service_categories_section,
    "firm-sizes": firm_sizes_section,
    "top-instruments": top_instruments_section,
    "top-services": top_services_section,
}


def dashboard_sections(ctx: Ctx) -> dict[str, Section | None]:
    """Every section, keyed for templates (``firm-sizes`` → ``firm_sizes``)."""
    return {slug.replace("-", "_"): build(ctx) for slug, build in SECTIONS.items()}
