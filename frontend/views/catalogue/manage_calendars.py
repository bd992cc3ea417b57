"""Lab managers' imported calendars: the preview of a (re-)import and its confirmation,
and removing a calendar with all its windows."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from config.errors import DomainError
from facilities import services
from facilities.models import BlackoutCalendar, CalendarUpload
from frontend.views.catalogue.manage import _tab, managed_instrument


def _upload_or_404(request, instrument, upload_pk) -> CalendarUpload:
    upload = CalendarUpload.objects.filter(
        pk=upload_pk, instrument=instrument, created_by=request.user
    ).first()
    if upload is None:
        raise Http404
    return upload


@login_required
def calendar_upload(request, pk: int, upload_pk: int):
    """What re-importing the calendar will change; nothing is saved before confirming."""
    instrument = managed_instrument(request, pk)
    upload = _upload_or_404(request, instrument, upload_pk)
    if request.method == "POST":
        try:
            result = services.calendar_upload_confirm(actor=request.user, upload=upload)
        except DomainError as exc:
            messages.error(request, str(exc.message))
            return redirect("frontend:lab-calendar-upload", pk, upload_pk)
        messages.success(request, _(
            "Calendar imported: %(added)s added, %(moved)s moved, %(shortened)s shortened, "
            "%(changed)s changed, %(removed)s removed, %(unchanged)s unchanged."
        ) % result)  # fmt: skip
        return redirect("frontend:lab-instrument-blackouts", pk)
    items = [_change_row(item) for item in upload.changes.get("changes", [])]
    return _tab(request, instrument, "calendar_upload.html", "blackouts", upload=upload,
                summary=upload.changes, items=items)  # fmt: skip


def _change_row(item: dict) -> dict:
    def when(value):
        return dt.datetime.fromisoformat(value) if value else None

    return {**item, "start": when(item["start_at"]), "end": when(item["end_at"]),
            "old_start": when(item["old_start_at"]), "old_end": when(item["old_end_at"])}  # fmt: skip


@login_required
@require_POST
def calendar_remove(request, pk: int, calendar_pk: int):
    instrument = managed_instrument(request, pk)
    calendar = BlackoutCalendar.objects.filter(pk=calendar_pk, instrument=instrument).first()
    if calendar is None:
        raise Http404
    removed = services.calendar_delete(actor=request.user, calendar=calendar)
    messages.success(request, _("Calendar “%(name)s” removed with its %(n)s windows.")
                     % {"name": calendar.name, "n": removed})  # fmt: skip
    return redirect("frontend:lab-instrument-blackouts", pk)
