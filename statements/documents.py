"""A statement as a PDF and as an XLSX workbook, in the reader's language.

The PDF is drawn with ReportLab. Chinese is set in ReportLab's built-in ``STSong-Light``
CID font (Adobe-GB1): PDF readers (Acrobat, Chrome, pdf.js, WPS, Preview) supply it, so no
font file has to travel with the project. Where readers may lack it, the setting
``STATEMENT_PDF_FONT`` names a TrueType font with Chinese to embed instead. Figures and
codes are set in Helvetica, which keeps them selectable and extractable as plain text."""

from __future__ import annotations

import io

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from config.money import format_fen
from statements.models import Statement, StatementLine

CJK_FONT = "STSong-Light"
EMBEDDED_FONT = "LabShareCJK"
_registered: dict[str, str] = {}


def _font() -> str:
    """The registered name of the font Chinese is set in (registered once per font)."""
    path = settings.STATEMENT_PDF_FONT
    if path not in _registered:
        if path:
            name = f"{EMBEDDED_FONT}{len(_registered)}"
            pdfmetrics.registerFont(TTFont(name, path))
        else:
            name = CJK_FONT
            pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
        _registered[path] = name
    return _registered[path]


def use_text(line: StatementLine) -> str:
    """Actual use: hours and minutes of a session, or the samples of a testing batch."""
    if line.order_kind == StatementLine.OrderKind.SERVICE_REQUEST:
        return _("%(n)s samples") % {"n": line.samples}
    hours, minutes = divmod(line.minutes, 60)
    return _("%(h)s h %(m)s min") % {"h": hours, "m": minutes}


def _headers() -> list[str]:
    return [_("Date"), _("Instrument or service"), _("Order"), _("Actual use"), _("Fee"),
            _("Voucher part"), _("Your part")]  # fmt: skip


def _order_label(line: StatementLine) -> str:
    label = line.get_order_kind_display()
    if line.kind == StatementLine.Kind.CORRECTION:
        label = f"{label} · {_('Correction')}"
    return f"{label} #{line.order_id}"


def _date(line: StatementLine) -> str:
    return f"{timezone.localtime(line.completed_at):%Y-%m-%d}"


def statement_pdf(statement: Statement, lines: list[StatementLine]) -> bytes:
    font = _font()
    text = ParagraphStyle("cjk", fontName=font, fontSize=9, leading=12)
    title = ParagraphStyle("title", fontName=font, fontSize=15, leading=20)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=landscape(A4), leftMargin=15 * mm,
                            rightMargin=15 * mm, topMargin=15 * mm, bottomMargin=15 * mm,
                            title=statement.number, author=statement.provider.name)  # fmt: skip
    head = [
        Paragraph(_("Statement of completed orders"), title),
        Paragraph(f"{_('Provider')}: {statement.provider.name}", text),
        Paragraph(f"{_('Firm')}: {statement.firm.name}", text),
        Paragraph(
            f"{_('Month')}: {statement.month:%Y-%m} · {_('Number')}: {statement.number} · "
            f"{_('Issued at')}: {timezone.localtime(statement.issued_at):%Y-%m-%d %H:%M}",
            text,
        ),  # fmt: skip
        Spacer(1, 5 * mm),
    ]
    rows = [[Paragraph(h, text) for h in _headers()]]
    for line in lines:
        rows.append([_date(line), Paragraph(line.item_name, text), Paragraph(_order_label(line), text),
                     Paragraph(use_text(line), text), format_fen(line.fee_fen),
                     format_fen(line.voucher_fen), format_fen(line.firm_fen)])  # fmt: skip
    rows.append(["", Paragraph(_("Total"), text), "", "", format_fen(statement.fee_fen),
                 format_fen(statement.voucher_fen), format_fen(statement.firm_fen)])  # fmt: skip
    table = Table(rows, repeatRows=1, colWidths=[24 * mm, 78 * mm, 52 * mm, 30 * mm, 28 * mm,
                                                 28 * mm, 28 * mm])  # fmt: skip
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), "Helvetica"),
        ("FONTSIZE", (0, 0), (-1, -1), 9),
        ("ALIGN", (4, 0), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f7")),
        ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.HexColor("#8a94a6")),
        ("LINEABOVE", (0, -1), (-1, -1), 0.6, colors.HexColor("#8a94a6")),
        ("FONTNAME", (4, -1), (-1, -1), "Helvetica-Bold"),
        ("ROWBACKGROUNDS", (0, 1), (-1, -2), [colors.white, colors.HexColor("#fafbfc")]),
    ]))  # fmt: skip
    note = Paragraph(_("The voucher part is paid to the provider by the department that issued "
                       "the voucher; the firm pays its own part."), text)  # fmt: skip
    doc.build([*head, table, Spacer(1, 4 * mm), note])
    return buffer.getvalue()


def statement_xlsx(statement: Statement, lines: list[StatementLine]) -> bytes:
    """One sheet: a heading block, the lines with money as numbers in yuan (two decimals,
    so the workbook sums them), and a total row."""
    book = Workbook()
    sheet = book.active
    sheet.title = f"{statement.month:%Y-%m}"
    bold = Font(bold=True)
    sheet.append([_("Statement of completed orders")])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([_("Provider"), statement.provider.name])
    sheet.append([_("Firm"), statement.firm.name])
    sheet.append([_("Month"), f"{statement.month:%Y-%m}", _("Number"), statement.number])
    sheet.append([])
    sheet.append(_headers())
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    first = sheet.max_row + 1
    for line in lines:
        sheet.append([_date(line), line.item_name, _order_label(line), use_text(line),
                      line.fee_fen / 100, line.voucher_fen / 100, line.firm_fen / 100])  # fmt: skip
    sheet.append(["", _("Total"), "", "", statement.fee_fen / 100, statement.voucher_fen / 100,
                  statement.firm_fen / 100])  # fmt: skip
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for row in sheet.iter_rows(min_row=first, min_col=5, max_col=7):
        for cell in row:
            cell.number_format = "¥#,##0.00"
            cell.alignment = Alignment(horizontal="right")
    for column, width in zip("ABCDEFG", (12, 36, 28, 14, 14, 14, 14), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
