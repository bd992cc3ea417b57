"""Bulk issue from a CSV/XLSX of credit codes and amounts: a preview with each row's
problems, then a confirm that issues all rows or none, under the programme's lock."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import FirmProfile, User
from config.errors import Invalid
from config.money import yuan_to_fen
from vouchers.models import Programme, Voucher
from vouchers.rules import rules_parse
from vouchers.services.access import programme_for_review
from vouchers.services.issuing import (
    FirmTotals,
    amount_problem,
    firm_problem,
    firm_totals,
    issue_locked,
    require_open,
)

MAX_ROWS = 5000


@dataclass
class BulkRow:
    line: int
    uscc: str
    amount_fen: int | None
    firm_id: int | None = None
    firm_name: str = ""
    errors: list[dict[str, str]] = field(default_factory=list)


@dataclass
class BulkPreview:
    rows: list[BulkRow]

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not any(r.errors for r in self.rows)

    @property
    def total_fen(self) -> int:
        return sum(r.amount_fen or 0 for r in self.rows)


def bulk_rows_parse(content: bytes, filename: str) -> list[BulkRow]:
    """Rows of (credit code, amount in yuan) from a CSV or XLSX file; a header row
    (anything whose amount is not a number) is skipped. Invalid ``bulk_file_unreadable``."""
    try:
        if filename.lower().endswith(".xlsx"):
            raw = _xlsx_rows(content)
        else:
            text = content.decode("utf-8-sig")
            raw = list(csv.reader(io.StringIO(text)))
    except Exception as exc:  # noqa: BLE001 (any unreadable file is the user's 400)
        raise Invalid(_("The file could not be read: use CSV (UTF-8) or XLSX."),
                      code="bulk_file_unreadable") from exc  # fmt: skip
    rows = []
    for line, cells in enumerate(raw, start=1):
        cells = [str(c).strip() if c is not None else "" for c in cells]
        if not any(cells):
            continue
        uscc, amount = (cells + ["", ""])[:2]
        try:
            amount_fen = yuan_to_fen(amount)
        except ValueError:
            if line == 1:
                continue  # the header
            amount_fen = None
        rows.append(BulkRow(line=line, uscc=uscc.upper(), amount_fen=amount_fen))
    if len(rows) > MAX_ROWS:
        raise Invalid(
            _("At most %(n)s rows per file.") % {"n": MAX_ROWS}, code="bulk_too_many_rows"
        )
    return rows


def _xlsx_rows(content: bytes) -> list[tuple]:
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def _check(programme: Programme, rows: list[BulkRow]) -> list[BulkRow]:
    """Each row's problems, counting the rows above it (two rows for one firm share its
    caps; all rows share the budget)."""
    rules = rules_parse(programme.rules)
    now = timezone.now()
    profiles = {p.uscc: p for p in FirmProfile.objects.select_related("organisation")
                .filter(uscc__in={r.uscc for r in rows})}  # fmt: skip
    totals: dict[int, FirmTotals] = {}
    budget_used = programme.issued_fen
    for row in rows:
        row.errors = []
        if row.amount_fen is None:
            row.errors.append(
                {"code": "bad_amount", "message": str(_("The amount is not a number."))}
            )
            continue
        profile = profiles.get(row.uscc)
        problem = firm_problem(rules, programme, profile)
        if problem is None:
            row.firm_id, row.firm_name = profile.organisation_id, profile.organisation.name
            firm_total = totals.setdefault(
                row.firm_id, firm_totals(rules, programme, row.firm_id, now)
            )
            problem = amount_problem(rules, programme, firm_total, row.amount_fen, budget_used)
            if problem is None:
                firm_total.live_fen += row.amount_fen
                firm_total.issued_this_year_fen += row.amount_fen
                budget_used += row.amount_fen
        if problem:
            row.errors.append({"code": problem.code, "message": problem.message})
    return rows


def bulk_issue_preview(*, actor: User, programme_id: int, rows: list[BulkRow]) -> BulkPreview:
    """What a confirm would issue, and each row's problems; changes nothing."""
    programme = programme_for_review(actor, programme_id)
    require_open(programme)
    return BulkPreview(_check(programme, rows))


def bulk_issue_confirm(
    *, actor: User, programme_id: int, rows: list[BulkRow]
) -> tuple[BulkPreview, list[Voucher]]:
    """Issue every row, or none: with any row in error nothing is issued and the preview
    comes back with its errors (Invalid ``bulk_rows_invalid``, ``data["rows"]``)."""
    with transaction.atomic():
        programme = programme_for_review(actor, programme_id, lock=True)
        require_open(programme)
        preview = BulkPreview(_check(programme, rows))
        if not preview.ok:
            raise Invalid(_("Some rows cannot be issued; nothing was issued."),
                          code="bulk_rows_invalid",
                          data={"rows": [r.__dict__ for r in preview.rows if r.errors]})  # fmt: skip
        firms = {p.organisation_id: p.organisation for p in FirmProfile.objects.select_related(
            "organisation").filter(organisation_id__in={r.firm_id for r in rows})}  # fmt: skip
        note = str(_("Bulk issue"))
        vouchers = [
            issue_locked(
                programme, firm=firms[r.firm_id], amount_fen=r.amount_fen, actor=actor, note=note
            )
            for r in rows
        ]
    return preview, vouchers
