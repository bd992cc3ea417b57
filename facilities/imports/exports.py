"""Export a provider's instruments or services, and the empty template, as CSV or XLSX."""

from __future__ import annotations

import tablib

from facilities.imports.columns import COLUMNS
from facilities.models import Instrument, Price, TestingService

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _yuan(fen):
    if fen is None:
        return ""
    return f"{fen / 100:.2f}".rstrip("0").rstrip(".")


def _instrument_row(i: Instrument) -> list:
    prices = {p.client_group: p.per_hour_fen for p in i.prices.all()}
    yes = {True: "是", False: "否"}
    return [
        i.pk, i.name, i.model_number, i.manufacturer, i.country_of_origin,
        _yuan(i.original_value_fen), i.category.code,
        i.start_of_use.isoformat() if i.start_of_use else "", i.specifications, i.main_uses,
        i.service_content, i.location, i.contact_name, i.contact_phone, i.contact_email,
        yes[i.voucher_eligible], yes[i.requires_approval], yes[i.requires_training],
        i.slot_minutes, i.min_minutes, i.max_minutes, i.horizon_days,
        *(_yuan(prices.get(g)) for g in (Price.ClientGroup.EXTERNAL_FIRM, Price.ClientGroup.INTERNAL,
                                         Price.ClientGroup.ACADEMIC)),
    ]  # fmt: skip


def _service_row(s: TestingService) -> list:
    yes = {True: "是", False: "否"}
    return [
        s.pk, s.name, s.category.code, "; ".join(s.standards.splitlines()), s.description,
        s.sample_requirements, _yuan(s.price_fen), "每批" if s.price_unit == "per_batch" else "每样",
        s.turnaround_days, yes[s.voucher_eligible], yes[s.in_accredited_scope],
    ]  # fmt: skip


def dataset(kind: str, provider_ids, *, template: bool = False) -> tablib.Dataset:
    columns = COLUMNS[kind]
    data = tablib.Dataset(headers=[c.zh for c in columns], title=kind)
    if template:
        data.append([c.example for c in columns])
        return data
    if kind == "instruments":
        qs = Instrument.objects.filter(provider_id__in=provider_ids).select_related("category")
        for i in qs.prefetch_related("prices").order_by("pk"):
            data.append(_instrument_row(i))
    else:
        qs = TestingService.objects.filter(provider_id__in=provider_ids).select_related("category")
        for s in qs.order_by("pk"):
            data.append(_service_row(s))
    return data


def render(data: tablib.Dataset, fmt: str) -> bytes:
    if fmt == "csv":
        return ("\ufeff" + data.export("csv")).encode("utf-8")  # BOM so Excel reads UTF-8
    return data.export("xlsx")
