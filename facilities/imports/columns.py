"""The columns of the instrument and service spreadsheets, and how each cell is read.

A header may be the column key (``name``), its Chinese label (名称) or its English label.
Money is typed in yuan and stored in fen.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from config.money import yuan_to_fen
from facilities.imports.hours import HoursError, parse_hours

TRUE = {"1", "true", "yes", "y", "是", "需要", "可以", "✓"}
FALSE = {"0", "false", "no", "n", "否", "不需要", "不可以", "✗"}
# The ID cell of the template's example row (a blank ID when the row is imported).
EXAMPLE_MARKERS = ("示例", "example")


class CellError(ValueError):
    pass


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def as_text(value):
    return _text(value)


def as_bool(value):
    """True, False, or None for a blank cell: blank means "the default" (a new item gets
    the model's default, an updated one keeps what it has), never "no"."""
    text = _text(value).lower()
    if text == "":
        return None
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise CellError(_("yes/no"))


def as_id(value):
    """The ID cell: a number, blank, or the template example row's marker."""
    text = _text(value)
    if text.lower().startswith(EXAMPLE_MARKERS):
        return None
    return as_int(value)


def as_hours(value):
    text = _text(value)
    if text == "":
        return None
    try:
        return parse_hours(text)
    except HoursError as exc:
        raise CellError(_("weekly hours such as 周一至周五 08:30-17:30")) from exc


def as_int(value):
    text = _text(value)
    if text == "":
        return None
    try:
        number = int(float(text))
    except ValueError as exc:
        raise CellError(_("whole number")) from exc
    if number < 0:
        raise CellError(_("whole number"))
    return number


def as_fen(value):
    text = _text(value)
    if text == "":
        return None
    try:
        fen = yuan_to_fen(text)
    except ValueError as exc:
        raise CellError(_("amount in yuan")) from exc
    if fen < 0:
        raise CellError(_("amount in yuan"))
    return fen


def as_date(value):
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = _text(value)
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text.replace("/", "-")).isoformat()
    except ValueError as exc:
        raise CellError(_("date YYYY-MM-DD")) from exc


def as_unit(value):
    text = _text(value).lower()
    if text in ("per_batch", "每批", "批", "batch"):
        return "per_batch"
    if text in ("per_sample", "每样", "每个样品", "样", "sample", ""):
        return "per_sample"
    raise CellError(_("per_sample / per_batch"))


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str
    read: Any = as_text
    required: bool = False
    example: Any = ""


INSTRUMENT_COLUMNS = [
    Column("id", "编号", "ID", as_id, example="示例（不导入）"),
    Column("name", "名称", "Name", required=True, example="傅里叶变换红外光谱仪"),
    Column("name_en", "英文名称", "English name", example="FTIR spectrometer"),
    Column("model_number", "型号", "Model", example="Nicolet iS50"),
    Column("manufacturer", "生产厂商", "Manufacturer", example="赛默飞世尔科技"),
    Column("country_of_origin", "产地国别", "Country of origin", example="美国"),
    Column("original_value", "原值（元）", "Original value (yuan)", as_fen, example="850000"),
    Column("category", "分类代码", "Category code", required=True, example="0301"),
    Column("start_of_use", "启用日期", "Start of use", as_date, example="2019-06-01"),
    Column("specifications", "技术指标", "Specifications", example="光谱范围 7800–350 cm⁻¹"),
    Column("main_uses", "主要用途", "Main uses", example="有机物结构鉴定"),
    Column("service_content", "服务内容", "Service content"),
    Column("location", "安放地点", "Location", example="分析楼 302 室"),
    Column("contact_name", "联系人", "Contact name", example="陈立华"),
    Column("contact_phone", "联系电话", "Contact phone", example="0571-88881234"),
    Column("contact_email", "联系邮箱", "Contact email"),
    Column("voucher_eligible", "可用创新券", "Voucher eligible", as_bool, example="是"),
    Column("requires_approval", "需要审核", "Approval needed", as_bool, example="是"),
    Column("requires_training", "需要培训", "Training needed", as_bool, example="否"),
    Column("slot_minutes", "预约粒度（分钟）", "Slot (minutes)", as_int, example="30"),
    Column("min_minutes", "最短时长（分钟）", "Minimum (minutes)", as_int, example="60"),
    Column("max_minutes", "最长时长（分钟）", "Maximum (minutes)", as_int, example="480"),
    Column("horizon_days", "可预约天数", "Horizon (days)", as_int, example="60"),
    Column(
        "opening_hours",
        "开放时间",
        "Opening hours",
        as_hours,
        example="周一至周五 08:30-17:30；周六 09:00-12:00",
    ),
    Column(
        "price_external_firm",
        "对外价格（元/小时）",
        "Outside firms (yuan/h)",
        as_fen,
        example="300",
    ),
    Column("price_internal", "内部价格（元/小时）", "Own staff (yuan/h)", as_fen, example="120"),
    Column("price_academic", "高校院所价格（元/小时）", "Academic (yuan/h)", as_fen, example="200"),
]

SERVICE_COLUMNS = [
    Column("id", "编号", "ID", as_id, example="示例（不导入）"),
    Column("name", "名称", "Name", required=True, example="金属材料室温拉伸试验"),
    Column("category", "分类代码", "Category code", required=True, example="0801"),
    Column("standards", "检测标准", "Standards", required=True, example="GB/T 228.1-2021"),
    Column("description", "服务说明", "Description"),
    Column("sample_requirements", "样品要求", "Sample requirements", example="标准试样 3 件"),
    Column("price", "价格（元）", "Price (yuan)", as_fen, required=True, example="300"),
    Column("price_unit", "计价方式", "Priced", as_unit, example="每样"),
    Column("turnaround_days", "周期（工作日）", "Turnaround (working days)", as_int, example="5"),
    Column("voucher_eligible", "可用创新券", "Voucher eligible", as_bool, example="是"),
    Column(
        "statutory_testing", "法定/强制性检测", "Statutory/mandatory testing", as_bool, example="否"
    ),
    # No "within CMA/CNAS scope" column: that follows from the provider's certificate
    # scopes (facilities.accreditation_scope) whenever a service is saved.
]

COLUMNS = {"instruments": INSTRUMENT_COLUMNS, "services": SERVICE_COLUMNS}


def is_example(row: list, columns: dict[int, Column]) -> bool:
    """The template's example row left as the template wrote it: every cell it fills
    equals the example (the ID cell may keep its 示例 marker). A row typed over the
    example is a real row, even with the marker still in its ID cell."""
    cells = {col.key: _text(row[i]) if i < len(row) else "" for i, col in columns.items()}
    marker = cells.pop("id", "")
    if marker and not marker.lower().startswith(EXAMPLE_MARKERS):
        return False
    filled = {key: text for key, text in cells.items() if text}
    examples = {col.key: str(col.example) for col in columns.values()}
    return "name" in filled and all(examples.get(key) == text for key, text in filled.items())


def header_map(headers: list[str], columns: list[Column]) -> dict[int, Column]:
    """Which column each header names, by key or Chinese or English label."""
    lookup = {}
    for col in columns:
        for name in (col.key, col.zh, col.en):
            lookup[name.strip().lower()] = col
    return {
        i: lookup[h.strip().lower()]
        for i, h in enumerate(headers)
        if h and h.strip().lower() in lookup
    }
