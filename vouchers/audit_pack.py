"""Audit packs: one ZIP per claim or per sampled use with everything an auditor asks for —
a summary page (HTML), the orders' ledger entries, the session logs, the test reports, the
invoice and the proofs of the firms' payment. Read-only, built into a spooled temporary
file and streamed by the caller, who has already checked who is asking."""

from __future__ import annotations

import csv
import io
import os
import tempfile
import zipfile
from collections import defaultdict

from django.template.loader import render_to_string
from django.utils import timezone

from booking.models import Booking, ServiceRequest, Session
from vouchers import uploads
from vouchers.exports import LINE_HEADERS, ORDER_KIND_ZH, line_row, yuan, zh_labels
from vouchers.flags import with_texts
from vouchers.models import AuditRecord, Claim, ClaimLine, LedgerEntry

KIND_ZH = {"issue": "发放", "hold": "冻结", "release": "释放", "capture": "核销",
           "expire": "过期", "reverse": "冲回"}  # fmt: skip
LEDGER_HEADERS = [
    "账目编号",
    "时间",
    "类型",
    "金额（元）",
    "创新券编号",
    "订单类型",
    "订单号",
    "说明",
]
SESSION_HEADERS = ["预约号", "预约开始", "预约结束", "实际开始", "实际结束", "备注"]


def _when(at) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M") if at else ""


def _csv(headers, rows) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(headers)
    writer.writerows(rows)
    return ("\ufeff" + buf.getvalue()).encode()


def _safe(name: str) -> str:
    return os.path.basename(name or "file").replace("/", "_") or "file"


def _ledger_rows(orders: set[tuple[str, int]]):
    by_kind = defaultdict(set)
    for kind, pk in orders:
        by_kind[kind].add(pk)
    for kind, ids in sorted(by_kind.items()):
        entries = LedgerEntry.objects.filter(order_kind=kind, order_id__in=ids).select_related(
            "voucher"
        )
        for e in entries.order_by("order_id", "at", "pk").iterator(chunk_size=2000):
            yield [e.pk, _when(e.at), KIND_ZH.get(e.kind, e.kind), yuan(e.amount_fen),
                   e.voucher.code, ORDER_KIND_ZH.get(e.order_kind, e.order_kind), e.order_id,
                   e.note]  # fmt: skip


def _session_rows(booking_ids: set[int]):
    sessions = {s.booking_id: s for s in Session.objects.filter(booking_id__in=booking_ids)}
    for b in Booking.objects.filter(pk__in=booking_ids).order_by("pk"):
        s = sessions.get(b.pk)
        yield [b.pk, _when(b.start_at), _when(b.end_at), _when(s and s.actual_start_at),
               _when(s and s.actual_end_at), s.notes if s else ""]  # fmt: skip


def _copy(zf: zipfile.ZipFile, stored: str, arcname: str, store) -> None:
    """Copy one stored file into the ZIP; a file gone missing is listed, not fatal."""
    try:
        with store.open(stored, "rb") as src, zf.open(arcname, "w") as dst:
            for chunk in iter(lambda: src.read(1 << 16), b""):
                dst.write(chunk)
    except (FileNotFoundError, OSError):
        zf.writestr(arcname + ".missing.txt", f"{stored} 文件缺失\n")


def _reports(zf: zipfile.ZipFile, request_ids: set[int]) -> None:
    rows = ServiceRequest.objects.filter(pk__in=request_ids).exclude(report_file="")
    for pk, name in rows.values_list("pk", "report_file"):
        _copy(zf, name, f"reports/{pk}-{_safe(name)}", ServiceRequest.report_file.field.storage)


def _claim_files(zf: zipfile.ZipFile, claim: Claim, only_line: ClaimLine | None = None) -> None:
    store = uploads.storage()
    if claim.invoice_file:
        _copy(zf, claim.invoice_file, f"invoice/{_safe(claim.invoice_file_name)}", store)
    for proof in claim.proofs.all():
        if only_line is None or proof.line_id in (None, only_line.pk):
            _copy(zf, proof.file, f"proofs/{proof.pk}-{_safe(proof.file_name)}", store)


def _spool():
    return tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115 (returned open)


def claim_pack(claim: Claim):
    """The claim's pack, as an open file positioned at 0."""
    lines = claim.lines.select_related("firm").order_by("completed_at", "pk")
    orders, bookings, requests = set(), set(), set()
    for kind, pk in lines.values_list("order_kind", "order_id"):
        orders.add((kind, pk))
        (bookings if kind == "booking" else requests).add(pk)
    flagged = [(ln, with_texts(ln.flags)) for ln in lines.filter(flagged=True)[:500]]
    out = _spool()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("summary.html", render_to_string("vouchers/audit_pack_claim.html", {
            "claim": claim, "flagged": flagged, "history": claim.history.select_related("actor"),
            "deductions": list(claim.deductions.all()), "generated_at": timezone.now(),
        }))  # fmt: skip
        states, texts = zh_labels(ClaimLine.State.choices), {}
        zf.writestr("lines.csv", _csv(LINE_HEADERS, (line_row(claim.number, ln, states, texts)
                                                     for ln in lines.iterator(chunk_size=2000))))  # fmt: skip
        zf.writestr("ledger.csv", _csv(LEDGER_HEADERS, _ledger_rows(orders)))
        if bookings:
            zf.writestr("sessions.csv", _csv(SESSION_HEADERS, _session_rows(bookings)))
        _reports(zf, requests)
        _claim_files(zf, claim)
    out.seek(0)
    return out


def record_pack(record: AuditRecord):
    """One sampled use's pack: its order, ledger entries, session or report, and the invoice
    and proofs of the claim that holds it (if the provider has claimed it)."""
    line = (ClaimLine.objects.select_related("claim").filter(capture_entry_id=record.capture_entry_id)
            .exclude(state=ClaimLine.State.REJECTED).first())  # fmt: skip
    order = (
        (Booking if record.order_kind == "booking" else ServiceRequest)
        .objects.filter(pk=record.order_id)
        .first()
    )
    session = Session.objects.filter(booking_id=record.order_id).first() if record.order_kind == "booking" else None  # fmt: skip
    out = _spool()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("summary.html", render_to_string("vouchers/audit_pack_use.html", {
            "record": record, "order": order, "session": session, "line": line,
            "kind": ORDER_KIND_ZH.get(record.order_kind, record.order_kind),
            "flags": with_texts(line.flags) if line else [], "generated_at": timezone.now(),
        }))  # fmt: skip
        zf.writestr("ledger.csv", _csv(LEDGER_HEADERS,
                                       _ledger_rows({(record.order_kind, record.order_id)})))  # fmt: skip
        if record.order_kind == "booking":
            zf.writestr("sessions.csv", _csv(SESSION_HEADERS, _session_rows({record.order_id})))
        else:
            _reports(zf, {record.order_id})
        if line is not None:
            _claim_files(zf, line.claim, only_line=line)
    out.seek(0)
    return out
