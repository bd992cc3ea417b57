"""Export a provider's instruments or services, and the empty template, as CSV or XLSX.

Numbers and dates are written as numbers and dates (an XLSX cell a spreadsheet can sum or
sort), money in yuan; the import reads them back as they are. The XLSX template carries
the category codes on a second sheet.
"""

from __future__ import annotations

from decimal import Decimal

import tablib
from django.utils.translation import gettext as _

from facilities.imports.columns import COLUMNS
from facilities.imports.hours import format_hours
from facilities.models import Category, Instrument, Price, TestingService

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _yuan(fen):
    """Fen as a number of yuan: an int when whole, else a Decimal with two places."""
    if fen is None:
        return None
    if fen % 100 == 0:
        return fen // 100
    return Decimal(fen) / 100


def _instrument_row(i: Instrument) -> list:
    prices = {p.client_group: p.per_hour_fen for p in i.prices.all()}
    yes = {True: "是", False: "否"}
    hours = format_hours((h.weekday, h.opens_at, h.closes_at) for h in i.opening_hours.all())
    return [
        i.pk, i.name, i.name_en, i.model_number, i.manufacturer, i.country_of_origin,
        _yuan(i.original_value_fen), i.category.code, i.start_of_use, i.specifications,
        i.main_uses, i.service_content, i.location, i.contact_name, i.contact_phone,
        i.contact_email, yes[i.voucher_eligible], yes[i.requires_approval],
        yes[i.requires_training], i.slot_minutes, i.min_minutes, i.max_minutes, i.horizon_days,
        hours,
        *(_yuan(prices.get(g)) for g in (Price.ClientGroup.EXTERNAL_FIRM, Price.ClientGroup.INTERNAL,
                                         Price.ClientGroup.ACADEMIC)),
    ]  # fmt: skip


def _service_row(s: TestingService) -> list:
    yes = {True: "是", False: "否"}
    return [
        s.pk, s.name, s.category.code, "; ".join(s.standards.splitlines()), s.description,
        s.sample_requirements, _yuan(s.price_fen), "每批" if s.price_unit == "per_batch" else "每样",
        s.turnaround_days, yes[s.voucher_eligible], yes[s.statutory_testing],
    ]  # fmt: skip


def category_rows() -> list[tuple[str, str, str, str]]:
    """Every category as ``(code, Chinese name, English name, parent code)``, tree order."""
    return [
        (c.code, c.name_zh, c.name_en, c.parent.code if c.parent_id else "")
        for c in Category.objects.select_related("parent").order_by("path")
    ]


def categories_dataset() -> tablib.Dataset:
    data = tablib.Dataset(
        headers=["分类代码", "名称", "English", "上级代码"], title=_("Categories")
    )
    for row in category_rows():
        data.append(row)
    return data


def dataset(kind: str, provider_ids, *, template: bool = False) -> tablib.Dataset:
    columns = COLUMNS[kind]
    data = tablib.Dataset(headers=[c.zh for c in columns], title=kind)
    if template:
        data.append([c.example for c in columns])
        return data
    if kind == "instruments":
        qs = Instrument.objects.filter(provider_id__in=provider_ids).select_related("category")
        for i in qs.prefetch_related("prices", "opening_hours").order_by("pk"):
            data.append(_instrument_row(i))
    else:
        qs = TestingService.objects.filter(provider_id__in=provider_ids).select_related("category")
        for s in qs.order_by("pk"):
            data.append(_service_row(s))
    return data


def template_book(kind: str) -> tablib.Databook:
    """The import template: the columns with one example row (never imported), and the
    category codes on a second sheet."""
    return tablib.Databook([dataset(kind, [], template=True), categories_dataset()])


def render(data: tablib.Dataset | tablib.Databook, fmt: str) -> bytes:
    if isinstance(data, tablib.Databook) and fmt == "csv":
        data = data.sheets()[0]  # a CSV holds one sheet: the columns
    if fmt == "csv":
        return ("\ufeff" + data.export("csv")).encode("utf-8")  # BOM so Excel reads UTF-8
    return data.export("xlsx")
