"""The dashboard's tables as CSV or XLSX with Chinese headers, for pages and API alike.

Each export calls the same selector the page and the API answer from, so a spreadsheet
shows the page's numbers. Money is in yuan with two decimals; hours to one decimal;
rates as percentages.
"""

from __future__ import annotations

import datetime as dt

import tablib
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from config.errors import Invalid
from facilities.imports.exports import CONTENT_TYPES, render
from tracker.selectors.filters import UsageFilters
from tracker.selectors.progress import target_progress_list
from tracker.selectors.providers import provider_statistics
from tracker.selectors.usage import usage_breakdown, usage_top_items

FORMATS = tuple(CONTENT_TYPES)
KIND_ZH = {"use": "仪器使用（台次）", "batch": "检测服务（批次）"}
STATUS_ZH = {"not_started": "未开始", "met": "已完成", "on_track": "按期可完成",
             "behind": "进度落后", "missed": "未完成"}  # fmt: skip
BY_ZH = {"kind": "类别", "month": "月份", "year": "年份", "city": "城市", "county": "区县",
         "provider": "服务机构", "category": "仪器/服务类别", "firm_size": "企业规模",
         "instrument": "仪器", "service": "检测服务"}  # fmt: skip


def _yuan(fen: int | None) -> str:
    return "" if fen is None else f"{fen / 100:.2f}"


def _day(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def _percent(ratio: float | None) -> str:
    return "" if ratio is None else f"{ratio * 100:.1f}%"


def _check(fmt: str) -> str:
    if fmt not in FORMATS:
        raise Invalid(_("Export as csv or xlsx."), code="invalid_export")
    return fmt


def _file(data: tablib.Dataset | tablib.Databook, fmt: str, name: str) -> tuple[bytes, str, str]:
    body = data.export("xlsx") if isinstance(data, tablib.Databook) else render(data, fmt)
    stamp = timezone.localdate().isoformat()
    return body, CONTENT_TYPES[fmt], f"{name}-{stamp}.{fmt}"


def usage_export(*, filters: UsageFilters, by: str, fmt: str) -> tuple[bytes, str, str]:
    """A breakdown (or ``by`` = instrument / service: the top 100) as a file."""
    _check(fmt)
    if by in ("instrument", "service"):
        kind = "use" if by == "instrument" else "batch"
        rows = usage_top_items(filters=filters, kind=kind, limit=100)
    else:
        rows = usage_breakdown(filters=filters, by=by)
    data = tablib.Dataset(
        headers=[BY_ZH.get(by, by), "代码", "类别", "数量", "使用机时（小时）",
                 "对外服务机时（小时）", "样品数", "费用（元）", "创新券支付（元）"],
        title=BY_ZH.get(by, by),
    )  # fmt: skip
    for r in rows:
        key = r["key"].isoformat() if isinstance(r["key"], dt.date) else r["key"]
        data.append([r["label"], key, KIND_ZH.get(r["kind"], r["kind"]), r["count"], r["hours"],
                     r["outside_hours"], r["samples"], _yuan(r["fee_fen"]),
                     _yuan(r["voucher_fen"])])  # fmt: skip
    return _file(data, fmt, f"usage-{by}")


def progress_export(*, actor: User, filters: UsageFilters, fmt: str) -> tuple[bytes, str, str]:
    _check(fmt)
    data = tablib.Dataset(
        headers=["目标", "类别", "地区", "开始日期", "结束日期", "目标数", "已完成", "完成率",
                 "时间进度", "每日所需进度", "按当前进度预计", "达成/预计达成日期", "预计缺口", "状态"],
        title="目标进度",
    )  # fmt: skip
    for p in target_progress_list(actor=actor, filters=filters):
        t = p.target
        data.append([t.name, KIND_ZH[t.kind], t.region.name_zh, t.starts_on.isoformat(),
                     t.ends_on.isoformat(), t.target_count, p.achieved, f"{p.percent_achieved}%",
                     f"{p.percent_elapsed}%", p.pace_needed_per_day or "", p.projected_total,
                     _day(p.met_on or p.projected_met_on),
                     p.shortfall, STATUS_ZH[p.status]])  # fmt: skip
    return _file(data, fmt, "target-progress")


def provider_statistics_export(*, actor: User, provider_id: int, start=None, end=None,
                               fmt: str, table: str = "instruments") -> tuple[bytes, str, str]:  # fmt: skip
    """XLSX: both tables, one sheet each; CSV: ``table`` (instruments or services)."""
    _check(fmt)
    stats = provider_statistics(actor=actor, provider_id=provider_id, start=start, end=end)
    instruments = tablib.Dataset(
        headers=["仪器名称", "型号", "使用台次", "有效工作机时（小时）", "对外服务机时（小时）",
                 "共享率", "利用率", "预约数", "爽约数", "爽约率", "服务企业数"],
        title="仪器共享",
    )  # fmt: skip
    for r in stats["instruments"]:
        instruments.append([r["name"], r["model_number"], r["uses"], r["effective_hours"],
                            r["outside_hours"], _percent(r["sharing_rate"]),
                            _percent(r["utilisation"]), r["bookings"], r["no_shows"],
                            _percent(r["no_show_rate"]), r["firms_served"]])  # fmt: skip
    services = tablib.Dataset(
        headers=["检测服务", "批次", "样品数", "按期完成率", "服务企业数"], title="检测服务"
    )
    for r in stats["services"]:
        services.append([r["name"], r["batches"], r["samples"], _percent(r["on_time_rate"]),
                         r["firms_served"]])  # fmt: skip
    name = f"provider-{provider_id}-statistics"
    if fmt == "xlsx":
        return _file(tablib.Databook([instruments, services]), fmt, name)
    return _file(services if table == "services" else instruments, fmt, f"{name}-{table}")
