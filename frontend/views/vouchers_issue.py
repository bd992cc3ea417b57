"""Bulk issue from a CSV/XLSX of credit codes and amounts: upload → preview with each
row's problems → confirm, all rows or none (vouchers.services.bulk_issue decides). The
parsed rows wait in the reviewer's session between the preview and the confirm."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from config.errors import DomainError, Invalid
from frontend.forms.vouchers import BulkIssueForm
from frontend.views.vouchers_review import _programme_or_404
from vouchers.services import bulk_issue as services

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


def _session_key(programme_pk: int) -> str:
    return f"voucher_bulk_issue_{programme_pk}"


def _rows_from_session(request, programme_pk: int) -> list[services.BulkRow] | None:
    stored = request.session.get(_session_key(programme_pk))
    if stored is None:
        return None
    return [
        services.BulkRow(line=line, uscc=uscc, amount_fen=amount) for line, uscc, amount in stored
    ]


@login_required
def bulk_issue(request, pk: int):
    programme = _programme_or_404(request, pk)
    form = BulkIssueForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > MAX_UPLOAD_BYTES:
                raise Invalid(_("The file is larger than 5 MB."))
            rows = services.bulk_rows_parse(upload.read(), upload.name)
            if not rows:
                raise Invalid(_("The file has no rows."))
        except DomainError as exc:
            form.add_error("file", str(exc.message))
        else:
            request.session[_session_key(pk)] = [(r.line, r.uscc, r.amount_fen) for r in rows]
            return redirect("frontend:voucher-bulk-preview", pk=pk)
    status = 400 if form.errors else 200
    context = {"programme": programme, "form": form}
    return render(request, "frontend/vouchers/bulk_issue.html", context, status=status)


@login_required
def bulk_preview(request, pk: int):
    programme = _programme_or_404(request, pk)
    rows = _rows_from_session(request, pk)
    if rows is None:
        return redirect("frontend:voucher-bulk-issue", pk=pk)
    try:
        preview = services.bulk_issue_preview(actor=request.user, programme_id=pk, rows=rows)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("frontend:programme-detail", pk=pk)
    return _render_preview(request, programme, preview)


def _render_preview(request, programme, preview, status=200):
    bad = sum(1 for r in preview.rows if r.errors)
    context = {"programme": programme, "preview": preview, "bad": bad,
               "good": len(preview.rows) - bad}  # fmt: skip
    return render(request, "frontend/vouchers/bulk_preview.html", context, status=status)


@login_required
@require_POST
def bulk_confirm(request, pk: int):
    programme = _programme_or_404(request, pk)
    rows = _rows_from_session(request, pk)
    if rows is None:
        raise Http404
    try:
        _preview, vouchers = services.bulk_issue_confirm(
            actor=request.user, programme_id=pk, rows=rows
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
        preview = services.BulkPreview(rows)  # the rows carry the errors the confirm found
        return _render_preview(
            request, programme, preview, status=409 if exc.kind == "conflict" else 400
        )
    del request.session[_session_key(pk)]
    messages.success(request, _("%(n)s vouchers issued.") % {"n": len(vouchers)})
    return redirect("frontend:programme-detail", pk=pk)
