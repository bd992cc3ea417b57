"""Reading an uploaded CSV or XLSX into header + rows of raw cells (no database)."""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext_lazy as _

from config.errors import Invalid

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 2000


def _refuse(message, code):
    return Invalid(message, code=code, fields={"file": [message]})


def _csv(content: bytes) -> list[list]:
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GBK
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise _refuse(_("The CSV file is not UTF-8 or GBK text."), "import_bad_encoding")
    return list(csv.reader(io.StringIO(text)))


def _xlsx(content: bytes) -> list[list]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any failure means "not a workbook we can read"
        raise _refuse(_("This is not a readable XLSX workbook."), "import_bad_xlsx") from exc
    sheet = book.worksheets[0]
    rows = []
    for row in sheet.iter_rows(values_only=True):
        rows.append(list(row))
        if len(rows) > MAX_ROWS + 1:
            break
    book.close()
    return rows


def read_table(filename: str, content: bytes) -> tuple[list[str], list[list]]:
    """``(headers, rows)``; blank rows dropped. Raises Invalid for a bad or too-large file."""
    if len(content) > MAX_BYTES:
        raise _refuse(_("The file is larger than 5 MB."), "import_too_large")
    name = (filename or "").lower()
    if name.endswith(".csv"):
        table = _csv(content)
    elif name.endswith(".xlsx"):
        table = _xlsx(content)
    else:
        raise _refuse(_("Upload a .csv or .xlsx file."), "import_bad_type")
    table = [r for r in table if any(c not in (None, "") and str(c).strip() for c in r)]
    if not table:
        raise _refuse(_("The file is empty."), "import_empty")
    if len(table) - 1 > MAX_ROWS:
        raise _refuse(_("At most %(n)s rows per file.") % {"n": MAX_ROWS}, "import_too_many_rows")
    headers = [str(h or "").strip() for h in table[0]]
    return headers, table[1:]
