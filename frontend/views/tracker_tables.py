"""The tables of the tracker pages: one object per table, printed on the page and exported.

A page builds each table once from the tracker's selectors; the template prints it
(the accessible table beside a chart) and the export view writes the very same rows
to CSV or XLSX, so a spreadsheet can never disagree with the page. Exports always
carry Chinese headers, as the department files them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import tablib
from django.http import HttpResponse
from django.utils import translation

from config.money import format_fen

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class Column:
    label: object  # a lazy translation: printed in the reader's language, exported in Chinese
    kind: str = "text"  # text | int | fen | percent | hours

    @property
    def numeric(self) -> bool:
        return self.kind != "text"


@dataclass(frozen=True)
class Cell:
    text: str
    numeric: bool
    link: str = ""


@dataclass
class Table:
    """``links``, when given, holds one URL (or "") per row for its first cell."""

    slug: str
    title: object
    columns: list[Column]
    rows: list[list] = field(default_factory=list)
    links: list[str] = field(default_factory=list)

    def display_rows(self) -> list[list[Cell]]:
        out = []
        for index, row in enumerate(self.rows):
            cells = [
                Cell(display(c.kind, v), c.numeric) for c, v in zip(self.columns, row, strict=True)
            ]
            if index < len(self.links) and self.links[index]:
                cells[0] = Cell(cells[0].text, cells[0].numeric, self.links[index])
            out.append(cells)
        return out

    def export_rows(self) -> list[list]:
        return [
            [exported(c.kind, v) for c, v in zip(self.columns, row, strict=True)]
            for row in self.rows
        ]


def display(kind: str, value) -> str:
    """How a cell reads on the page."""
    if value is None:
        return "–"
    if kind == "int":
        return f"{int(value):,}"
    if kind == "fen":
        return format_fen(int(value))
    if kind == "percent":
        return f"{float(value):.1f}%"
    if kind == "hours":
        return f"{float(value):,.1f}"
    return str(value)


def exported(kind: str, value):
    """The same cell as a spreadsheet number: fen as yuan, percent and hours to one decimal."""
    if value is None:
        return ""
    if kind == "int":
        return int(value)
    if kind == "fen":
        return Decimal(int(value)) / 100
    if kind in ("percent", "hours"):
        return round(float(value), 1)
    return str(value)


def dataset(table: Table) -> tablib.Dataset:
    with translation.override("zh-hans"):
        headers = [str(c.label) for c in table.columns]
        title = str(table.title)[:31]  # XLSX sheet names stop at 31 characters
    data = tablib.Dataset(headers=headers, title=title.replace("/", "-"))
    for row in table.export_rows():
        data.append(row)
    return data


def render(table: Table, fmt: str) -> bytes:
    data = dataset(table)
    if fmt == "csv":
        return ("\ufeff" + data.export("csv")).encode("utf-8")  # BOM so Excel reads UTF-8
    return data.export("xlsx")


def export_response(table: Table, fmt: str, *, filename: str) -> HttpResponse:
    response = HttpResponse(render(table, fmt), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
