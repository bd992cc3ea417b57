"""Finance exports of claims, claim lines and voucher uses, as CSV or XLSX with Chinese
headers and amounts in yuan with two decimals. Pages and the API answer with the same
files.

Both formats are streamed: CSV row by row from a server-side cursor, XLSX through
openpyxl's write-only workbook into a spooled temporary file that is then sent in chunks
with its length, so a 5,000-line claim never sits in memory as cells and the page can show
the download's progress."""

from __future__ import annotations

import csv
import datetime as dt
import json
import tempfile
from collections.abc import Iterable, Iterator
from typing import Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from config.errors import Invalid
from vouchers.flags import flag_text
from vouchers.models import Claim, ClaimLine

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMATS = tuple(CONTENT_TYPES)

ORDER_KIND_ZH = {"booking": "仪器预约", "service_request": "检测委托"}


def zh_labels(choices) -> dict[str, str]:
    """A model's choice labels in Chinese, whatever the request's language: the files are
    for the department's finance staff, and read as the Chinese pages do."""
    with translation.override("zh-hans"):
        return {value: str(label) for value, label in choices}


CLAIM_HEADERS = ["兑付申请编号", "服务机构", "发券部门", "开始日期", "结束日期", "状态", "明细数",
                 "申请金额（元）", "批准金额（元）", "抵扣金额（元）", "应付金额（元）", "发票号码",
                 "发票日期", "发票金额（元）", "发票类型", "付款日期", "付款凭证号"]  # fmt: skip
LINE_HEADERS = ["兑付申请编号", "明细编号", "订单类型", "订单号", "企业", "完成时间",
                "服务费用（元）", "创新券支付（元）", "企业自付（元）", "审核状态", "审核意见",
                "风险提示"]  # fmt: skip
USE_HEADERS = ["账目编号", "日期", "企业", "服务机构", "服务项目", "订单类型", "订单号",
               "创新券编号", "项目", "创新券支付（元）", "已冲回（元）", "兑付申请编号"]  # fmt: skip


def yuan(fen: int | None) -> str:
    return "" if fen is None else f"{fen / 100:.2f}"


def _day(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def _when(at: dt.datetime | None) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M") if at else ""


def check_format(fmt: str | None) -> str:
    if fmt not in FORMATS:
        raise Invalid(_("Export as csv or xlsx."), code="invalid_export",
                      fields={"export": [str(_("Export as csv or xlsx."))]})  # fmt: skip
    return fmt


def claim_row(c: Claim, labels: dict[str, dict[str, str]]) -> list[Any]:
    return [c.number, c.provider.name, c.issuer.name, _day(c.period_start), _day(c.period_end),
            labels["status"].get(c.status, c.status), c.line_count, yuan(c.claimed_fen),
            yuan(c.approved_fen), yuan(c.deduction_fen), yuan(c.payable_fen), c.invoice_number,
            _day(c.invoice_date), yuan(c.invoice_amount_fen),
            labels["invoice"].get(c.invoice_type, c.invoice_type), _day(c.paid_on),
            c.payment_reference]  # fmt: skip


def line_row(
    number: str, ln: ClaimLine, states: dict[str, str], texts: dict[str, str] | None = None
) -> list[Any]:
    """One line's row; ``texts`` memoises the flags' wording across the rows of one file
    (thousands of lines repeat a handful of flag sets, and gettext per flag per row was a
    good part of a 5,000-line export)."""
    return [number, ln.pk, ORDER_KIND_ZH.get(ln.order_kind, ln.order_kind), ln.order_id,
            ln.firm.name, _when(ln.completed_at), yuan(ln.fee_fen), yuan(ln.voucher_fen),
            yuan(ln.firm_fen), states.get(ln.state, ln.state), ln.reason,
            flags_joined(ln.flags, {} if texts is None else texts)]  # fmt: skip


def flags_joined(flags: list[dict[str, Any]], texts: dict[str, str]) -> str:
    if not flags:
        return ""
    key = json.dumps(flags, sort_keys=True, ensure_ascii=False)
    if key not in texts:
        texts[key] = "；".join(flag_text(f) for f in flags)
    return texts[key]


def use_row(u: dict[str, Any]) -> list[Any]:
    return [u["entry_id"], _when(u["at"]), u["firm"], u["provider"], u["service"],
            ORDER_KIND_ZH.get(u["order_kind"], u["order_kind"]), u["order_id"], u["voucher"],
            u["programme"], yuan(u["voucher_fen"]), yuan(u["reversed_fen"]),
            u["claim_number"]]  # fmt: skip


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_stream(headers: list[str], rows: Iterable[list[Any]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # Excel opens UTF-8 CSV as such only with the BOM
    yield writer.writerow(headers)
    for row in rows:
        yield writer.writerow(row)


def _xlsx_file(title: str, headers: list[str], rows: Iterable[list[Any]]):
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (the response closes it)
    book.save(out)
    out.seek(0)
    return out


def respond(*, fmt: str, name: str, title: str, headers: list[str], rows: Iterable[list[Any]]):
    """The file as a streamed download named ``name-<today>.<fmt>``."""
    check_format(fmt)
    filename = f"{name}-{timezone.localdate().isoformat()}.{fmt}"
    if fmt == "csv":
        response = StreamingHttpResponse(_csv_stream(headers, rows),
                                         content_type=CONTENT_TYPES["csv"])  # fmt: skip
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    else:
        out = _xlsx_file(title, headers, rows)
        size = out.seek(0, 2)
        out.seek(0)
        response = FileResponse(out, as_attachment=True, filename=filename,
                                content_type=CONTENT_TYPES["xlsx"])  # fmt: skip
        response["Content-Length"] = str(size)
    response["Cache-Control"] = "private, no-store"
    return response


def claims_export(claims, *, fmt: str):
    labels = {"status": zh_labels(Claim.Status.choices),
              "invoice": zh_labels(Claim.InvoiceType.choices)}  # fmt: skip
    rows = (claim_row(c, labels) for c in claims.iterator(chunk_size=500))
    return respond(fmt=fmt, name="claims", title="兑付申请", headers=CLAIM_HEADERS, rows=rows)


def lines_export(claim: Claim, lines, *, fmt: str):
    states, texts = zh_labels(ClaimLine.State.choices), {}
    # Only the firm is read with a line: the selector's other joins serve the pages.
    lines = lines.select_related(None).select_related("firm")
    rows = (line_row(claim.number, ln, states, texts) for ln in lines.iterator(chunk_size=2000))
    return respond(fmt=fmt, name=f"claim-{claim.number}", title="兑付明细",
                   headers=LINE_HEADERS, rows=rows)  # fmt: skip


def uses_export(uses: Iterable[dict[str, Any]], *, fmt: str, name: str = "voucher-uses"):
    return respond(fmt=fmt, name=name, title="创新券使用", headers=USE_HEADERS,
                   rows=(use_row(u) for u in uses))  # fmt: skip
