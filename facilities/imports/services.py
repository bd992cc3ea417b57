"""Bulk import: upload → preview with per-row errors → confirm saves the good rows only.

``import_preview`` parses and checks every row and stores the result as an ImportBatch;
it writes nothing to the catalogue. ``import_confirm`` re-checks the rows (the world may
have changed since) and saves the good ones in one transaction, once.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from config.errors import Conflict, Invalid, NotFound
from facilities.imports.columns import COLUMNS, CellError, as_text, header_map, is_example
from facilities.imports.reader import read_table
from facilities.models import (
    Category,
    ImportBatch,
    Instrument,
    OpeningHours,
    Price,
    TestingService,
)
from facilities.services._guards import ensure_manages, ensure_provider
from facilities.services.instruments import opening_hours_set

PRICE_KEYS = {f"price_{g}": g for g in Price.ClientGroup.values}
MODEL = {"instruments": Instrument, "services": TestingService}


def _cells(row: list, columns: dict) -> tuple[dict, dict, dict]:
    """``(values, errors, shown)``: parsed values, errors per column, and the cells as typed
    (what the preview shows, so 450000 yuan is not displayed as 45000000 fen)."""
    values, errors, shown = {}, {}, {}
    for i, col in columns.items():
        raw = row[i] if i < len(row) else None
        shown[col.key] = as_text(raw)
        try:
            value = col.read(raw)
        except CellError as exc:
            errors[col.key] = gettext("Expected: %(what)s") % {"what": str(exc)}
            continue
        if value not in (None, ""):
            values[col.key] = value
    for col in columns.values():
        if col.required and col.key not in values and col.key not in errors:
            errors[col.key] = gettext("Required.")
    return values, errors, shown


def _instance(kind: str, provider, values: dict, categories: dict):
    """An unsaved model object for the row (existing one when ``id`` is given)."""
    model = MODEL[kind]
    obj = model(provider=provider)
    if values.get("id"):
        obj = model.objects.filter(pk=values["id"], provider=provider).first()
        if obj is None:
            raise ValidationError({"id": gettext("No such item of your provider.")})
    for key, value in values.items():
        if key in ("id", "category", "opening_hours") or key in PRICE_KEYS:
            continue
        if key == "original_value":
            obj.original_value_fen = value
        elif key == "price":
            obj.price_fen = value
        elif key == "standards":
            obj.standards = "\n".join(
                p.strip() for p in str(value).replace("；", ";").split(";") if p.strip()
            )
        else:
            setattr(obj, key, value)
    category = categories.get(str(values.get("category", "")).lower())
    if category is None:
        raise ValidationError({"category": gettext("Unknown category code.")})
    obj.category = category
    return obj


def _check(kind: str, provider, values: dict, categories: dict):
    """The model object for a row, or the row's errors ``{column: message}``."""
    try:
        obj = _instance(kind, provider, values, categories)
        obj.full_clean(exclude=["provider", "photo"], validate_unique=False)
    except ValidationError as exc:
        fields = getattr(exc, "message_dict", {"id": exc.messages})
        return None, {k: " ".join(v) for k, v in fields.items()}
    return obj, {}


def _categories() -> dict:
    out = {}
    for c in Category.objects.all():
        out[c.code.lower()] = c
        out.setdefault(c.name_zh.lower(), c)
    return out


@transaction.atomic
def import_preview(*, actor, provider, kind: str, filename: str, content: bytes) -> ImportBatch:
    """Parse and check an upload; nothing is saved to the catalogue. Raises Invalid for a
    file that cannot be read or has no known columns."""
    ensure_manages(actor=actor, provider_id=provider.pk)
    ensure_provider(provider)
    if kind not in COLUMNS:
        raise Invalid(_("Unknown import kind."), code="import_bad_kind")
    headers, table = read_table(filename, content)
    columns = header_map(headers, COLUMNS[kind])
    if not any(c.key == "name" for c in columns.values()):
        raise Invalid(_("No 名称/name column found: start from the template."), code="import_no_columns",
                      fields={"file": [_("No 名称/name column found: start from the template.")]})  # fmt: skip
    categories = _categories()
    rows = []
    for line, raw in enumerate(table, start=2):
        values, errors, shown = _cells(raw, columns)
        if is_example(raw, columns):
            rows.append({"line": line, "values": {}, "errors": {}, "shown": shown,
                         "action": "example", "resolved": {}, "warnings": []})  # fmt: skip
            continue
        obj = None
        if not errors:
            obj, errors = _check(kind, provider, values, categories)
        rows.append({"line": line, "values": values, "errors": errors, "shown": shown,
                     "action": "update" if values.get("id") else "create",
                     "resolved": _resolved(kind, obj, columns, shown),
                     "warnings": _warnings(kind, obj, values)})  # fmt: skip
    return ImportBatch.objects.create(
        provider=provider, kind=kind, filename=(filename or "")[:200], rows=rows, created_by=actor
    )


_ATTRIBUTE = {"original_value": "original_value_fen", "price": "price_fen"}


def _shown_value(value) -> str:
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    return "" if value is None else str(value)


def _resolved(kind: str, obj, columns: dict, shown: dict) -> dict[str, str]:
    """What a row's blank cells will be once saved: the model's default for a new item,
    the current value for an updated one (so the preview says "需要审核: 是 (默认)")."""
    if obj is None:
        return {}
    out = {}
    for col in columns.values():
        attribute = _ATTRIBUTE.get(col.key, col.key)
        if shown.get(col.key) or col.key in ("id", "category") or not hasattr(obj, attribute):
            continue
        if col.key == "opening_hours" or attribute.endswith("_fen") or col.key in PRICE_KEYS:
            continue
        value = getattr(obj, attribute)
        if col.key == "price_unit":
            value = obj.get_price_unit_display()
        if value not in (None, ""):
            out[col.key] = _shown_value(value)
    return out


def _has_hours(obj) -> bool:
    return obj.pk is not None and OpeningHours.objects.filter(instrument_id=obj.pk).exists()


def _warnings(kind: str, obj, values: dict) -> list[str]:
    """Things the row will save but a manager should know: an instrument without opening
    hours can be listed, yet nobody can book it."""
    if kind != "instruments" or obj is None or values.get("opening_hours"):
        return []
    if _has_hours(obj):
        return []
    return [
        gettext("No bookable time yet: give opening hours (开放时间) or set them after saving.")
    ]


def _save(kind: str, obj, values: dict, actor) -> None:
    obj.save()
    if kind == "instruments" and values.get("opening_hours"):
        weekly = [
            (day, dt.time.fromisoformat(opens), dt.time.fromisoformat(closes))
            for day, opens, closes in values["opening_hours"]
        ]
        opening_hours_set(actor=actor, instrument=obj, weekly=weekly)
    if kind == "instruments":
        for key, group in PRICE_KEYS.items():
            if key in values:
                Price.objects.update_or_create(instrument=obj, client_group=group,
                                               defaults={"per_hour_fen": values[key]})  # fmt: skip


@transaction.atomic
def import_confirm(*, actor, batch: ImportBatch | int) -> int:
    """Save the batch's good rows (re-checked now); returns how many were saved.

    The batch is claimed with a compare-and-set on its status, so a double click or a
    second tab cannot save the rows twice (Conflict ``import_already_confirmed``).
    """
    pk = batch.pk if isinstance(batch, ImportBatch) else batch
    row = ImportBatch.objects.select_for_update().filter(pk=pk).first()
    if row is None or row.created_by_id != getattr(actor, "pk", None):
        raise NotFound(code="import_not_found")
    ensure_manages(actor=actor, provider_id=row.provider_id)
    if row.status != ImportBatch.Status.PREVIEW:
        raise Conflict(_("This import has already been saved."), code="import_already_confirmed")
    categories, saved = _categories(), 0
    for item in row.rows:
        if item["errors"] or item.get("action") == "example":
            continue
        obj, errors = _check(row.kind, row.provider, item["values"], categories)
        if errors:
            item["errors"] = errors
            continue
        _save(row.kind, obj, item["values"], actor)
        saved += 1
    row.status, row.confirmed_at, row.saved_count = (
        ImportBatch.Status.CONFIRMED,
        timezone.now(),
        saved,
    )
    row.save()
    return saved
