"""Imported .ics calendars whose blackout windows follow the file.

A calendar is identified per instrument by its name (the file's X-WR-CALNAME, else the
file name); an event occurrence inside it by its UID (hashed when too long) and, for a
recurring event, its RECURRENCE-ID. Re-importing the edited file brings the calendar's
upcoming windows exactly to what the file says, in one transaction:

- an occurrence in the file and not in the database is **added**;
- one in both with other times is **moved** (other start) or **shortened** (same start,
  ends earlier) or **changed** (longer, or renamed);
- one in the database and no longer in the file (cancelled, deleted, an EXDATE) is
  **removed**;
- a whole series whose DTSTART moved pairs its old and new occurrences in order, so it
  reads as moved rather than removed and added.

Windows that already ended are history and are left alone. A change that would put a
window over a live booking refuses the whole import, as a hand-made window does.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import PurePath

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from config.errors import Conflict, Invalid, NotFound
from facilities.ics import IcsWindow, read_ics
from facilities.models import Blackout, BlackoutCalendar, CalendarUpload, Instrument
from facilities.services._guards import ensure_manages, lock_instrument
from facilities.services.blackouts import live_booking_clashes, refuse_over_bookings

HORIZON = dt.timedelta(days=365)
KINDS = ("added", "moved", "shortened", "changed", "removed", "unchanged")


@dataclass
class Changes:
    """What an import does to one calendar's windows (``update`` pairs a window with what
    it becomes)."""

    add: list[IcsWindow] = field(default_factory=list)
    update: list[tuple[Blackout, IcsWindow, str]] = field(default_factory=list)
    remove: list[Blackout] = field(default_factory=list)
    unchanged: int = 0

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(KINDS, 0)
        out["added"], out["removed"], out["unchanged"] = (
            len(self.add),
            len(self.remove),
            self.unchanged,
        )
        for _row, _window, kind in self.update:
            if kind != "unchanged":
                out[kind] += 1
        return out

    def risky_windows(self) -> list[tuple[dt.datetime, dt.datetime]]:
        """New time a booking could sit in: added, moved and lengthened windows."""
        spans = [(w.start_at, w.end_at) for w in self.add]
        spans += [(w.start_at, w.end_at) for _row, w, kind in self.update
                  if kind in ("moved", "changed")]  # fmt: skip
        return spans

    def listing(self, limit: int = 200) -> list[dict]:
        """The changes for a preview, in time order (JSON-ready)."""
        rows = [_item("added", None, w) for w in self.add]
        rows += [_item(kind, row, w) for row, w, kind in self.update if kind != "unchanged"]
        rows += [_item("removed", row, None) for row in self.remove]
        rows.sort(key=lambda r: r["start_at"] or r["old_start_at"])
        return rows[:limit]


def _item(kind: str, row: Blackout | None, window: IcsWindow | None) -> dict:
    def iso(value):
        return value.isoformat() if value else ""

    return {
        "change": kind,
        "summary": window.summary if window else row.reason,
        "start_at": iso(window and window.start_at),
        "end_at": iso(window and window.end_at),
        "old_start_at": iso(row and row.start_at),
        "old_end_at": iso(row and row.end_at),
    }


def _kind_of(row: Blackout, window: IcsWindow) -> str:
    if row.start_at != window.start_at:
        return "moved"
    if window.end_at < row.end_at and row.reason == window.summary[:200]:
        return "shortened"
    if window.end_at != row.end_at or row.reason != window.summary[:200]:
        return "changed"
    return "unchanged"


def changes_for(
    calendar: BlackoutCalendar | None, windows: list[IcsWindow], *, now: dt.datetime
) -> Changes:
    """Compare the file's occurrences with the calendar's windows that have not ended."""
    existing = []
    if calendar is not None and calendar.pk:
        existing = list(calendar.windows.filter(end_at__gt=now).order_by("start_at", "pk"))
    by_key = {(row.source_uid, row.source_occurrence): row for row in existing}
    changes, leftover = Changes(), defaultdict(list)
    matched: set[int] = set()
    for window in windows:
        row = by_key.get((window.uid, window.occurrence))
        if row is None:
            leftover[window.uid].append(window)
            continue
        matched.add(row.pk)
        kind = _kind_of(row, window)
        if kind == "unchanged":
            changes.unchanged += 1
        else:
            changes.update.append((row, window, kind))
    gone = defaultdict(list)
    for row in existing:
        if row.pk not in matched:
            gone[row.source_uid].append(row)
    # Pair what is left under one UID in time order: a moved single event or series.
    for uid, new in leftover.items():
        old = gone.pop(uid, [])
        for row, window in zip(old, new, strict=False):
            kind = _kind_of(row, window)
            changes.update.append((row, window, kind))
            changes.unchanged += kind == "unchanged"
        changes.add.extend(new[len(old) :])
        changes.remove.extend(old[len(new) :])
    for rows in gone.values():
        changes.remove.extend(rows)
    return changes


def _calendar_name(name: str, parsed_name: str, filename: str) -> str:
    chosen = (name or parsed_name or PurePath(filename or "").stem).strip()
    return (chosen or str(_("Imported calendar")))[:200]


def _read(content: bytes | str, *, now: dt.datetime, allow_empty: bool):
    if isinstance(content, str):
        content = content.encode("utf-8")
    return read_ics(content, start=now, end=now + HORIZON, allow_empty=allow_empty)


def _find_calendar(instrument_id: int, name: str, calendar_id: int | None):
    qs = BlackoutCalendar.objects.filter(instrument_id=instrument_id)
    if calendar_id:
        found = qs.filter(pk=calendar_id).first()
        if found is None:
            raise NotFound(_("Not found."), code="not_found")
        return found
    return qs.filter(name=name).first()


def _check_kind(kind: str) -> None:
    if kind not in Blackout.Kind.values:
        raise Invalid(_("Unknown kind of window."), code="invalid_kind")


@dataclass
class Plan:
    calendar: BlackoutCalendar | None
    name: str
    changes: Changes
    clashes: list = field(default_factory=list)


def _plan(*, instrument: Instrument, content, filename: str, name: str, calendar_id, now) -> Plan:
    parsed = _read(content, now=now, allow_empty=True)
    name = _calendar_name(name, parsed.name, filename)
    calendar = _find_calendar(instrument.pk, name, calendar_id)
    if calendar is None and not parsed.windows:
        # A new calendar with nothing in it is a mistake, not a sync.
        raise Invalid(_("The calendar has no events in the coming year."), code="ics_empty",
                      fields={"file": [_("The calendar has no events in the coming year.")]})  # fmt: skip
    changes = changes_for(calendar, parsed.windows, now=now)
    return Plan(calendar, calendar.name if calendar else name, changes)


def calendar_dry_run(
    *, actor: User, instrument: Instrument, content: bytes, filename: str = "",
    name: str = "", calendar_id: int | None = None, kind: str = Blackout.Kind.MAINTENANCE,
) -> dict:  # fmt: skip
    """What importing the file would change, without writing: the calendar it would sync,
    the counts of each change, the changes themselves and the dates of live bookings an
    added or moved window would cover (the import would be refused).
    Errors: NotFound (not the actor's instrument or calendar), Invalid (a bad file)."""
    ensure_manages(actor=actor, provider_id=instrument.provider_id)
    _check_kind(kind)
    plan = _plan(instrument=instrument, content=content, filename=filename, name=name,
                 calendar_id=calendar_id, now=timezone.now())  # fmt: skip
    clashes = live_booking_clashes(instrument.pk, plan.changes.risky_windows())
    counts = plan.changes.counts()
    return {
        "calendar": plan.calendar.pk if plan.calendar else None, "name": plan.name, **counts,
        "created": counts["added"], "skipped": counts["unchanged"], "dry_run": True,
        "changes": plan.changes.listing(),
        "clash_dates": sorted({timezone.localtime(s).date().isoformat() for s, _e in clashes}),
    }  # fmt: skip


@transaction.atomic
def calendar_preview(
    *, actor: User, instrument: Instrument, content: bytes, filename: str = "",
    name: str = "", calendar_id: int | None = None, kind: str = Blackout.Kind.MAINTENANCE,
) -> CalendarUpload:  # fmt: skip
    """``calendar_dry_run``, kept as an upload the manager confirms on the next page."""
    summary = calendar_dry_run(actor=actor, instrument=instrument, content=content,
                               filename=filename, name=name, calendar_id=calendar_id, kind=kind)  # fmt: skip
    return CalendarUpload.objects.create(
        instrument=instrument, calendar_id=summary["calendar"], calendar_name=summary["name"],
        kind=kind, filename=(filename or "")[:200], content=content.decode("utf-8", "replace"),
        changes=summary, created_by=actor,
    )  # fmt: skip


def _apply(calendar: BlackoutCalendar, changes: Changes, *, actor: User, kind: str) -> None:
    Blackout.objects.filter(pk__in=[row.pk for row in changes.remove]).delete()
    rows = []
    for row, window, _kind in changes.update:
        row.start_at, row.end_at = window.start_at, window.end_at
        row.reason, row.source_occurrence = window.summary[:200], window.occurrence
        rows.append(row)
    Blackout.objects.bulk_update(rows, ["start_at", "end_at", "reason", "source_occurrence"])
    Blackout.objects.bulk_create(
        Blackout(instrument_id=calendar.instrument_id, calendar=calendar, kind=kind,
                 start_at=w.start_at, end_at=w.end_at, reason=w.summary[:200],
                 source=Blackout.Source.ICS, source_uid=w.uid, source_occurrence=w.occurrence,
                 created_by=actor)
        for w in changes.add
    )  # fmt: skip


@transaction.atomic
def calendar_sync(
    *, actor: User, instrument: Instrument | int, content: bytes | str, filename: str = "",
    name: str = "", calendar_id: int | None = None, kind: str = Blackout.Kind.MAINTENANCE,
) -> dict:  # fmt: skip
    """Bring one imported calendar's upcoming windows to what the file says (creating the
    calendar on its first import). All or nothing, under the instrument's row lock.

    Errors: NotFound, Invalid (bad file, unknown kind), Conflict
    ``blackout_overlaps_bookings`` when an added, moved or lengthened window would cover a
    live booking. Returns the calendar's id and name and the counts of each change.
    """
    _check_kind(kind)
    locked = lock_instrument(actor=actor, instrument=instrument)
    now = timezone.now()
    plan = _plan(instrument=locked, content=content, filename=filename, name=name,
                 calendar_id=calendar_id, now=now)  # fmt: skip
    refuse_over_bookings(locked.pk, plan.changes.risky_windows())
    calendar = plan.calendar or BlackoutCalendar(instrument=locked, name=plan.name,
                                                 created_by=actor)  # fmt: skip
    calendar.kind, calendar.synced_at = kind, now
    calendar.filename = (filename or calendar.filename)[:200]
    try:
        with transaction.atomic():
            calendar.save()
            _apply(calendar, plan.changes, actor=actor, kind=kind)
    except IntegrityError as exc:
        raise Conflict(
            _("The calendar changed while importing; try again."), code="ics_conflict"
        ) from exc
    counts = plan.changes.counts()
    return {"calendar": calendar.pk, "name": calendar.name, **counts,
            "created": counts["added"], "skipped": counts["unchanged"], "dry_run": False}  # fmt: skip


@transaction.atomic
def calendar_upload_confirm(*, actor: User, upload: CalendarUpload | int) -> dict:
    """Apply a previewed upload once (a compare-and-set on its status: a double click or a
    second tab gets Conflict ``import_already_confirmed``). The changes are computed again
    now, so a booking made since the preview still refuses the import."""
    pk = upload.pk if isinstance(upload, CalendarUpload) else upload
    row = CalendarUpload.objects.filter(pk=pk, created_by=actor).first()
    if row is None:
        raise NotFound(_("Not found."), code="not_found")
    claimed = CalendarUpload.objects.filter(pk=pk, status=CalendarUpload.Status.PREVIEW).update(
        status=CalendarUpload.Status.CONFIRMED, confirmed_at=timezone.now()
    )
    if not claimed:
        raise Conflict(_("This import has already been saved."), code="import_already_confirmed")
    return calendar_sync(actor=actor, instrument=row.instrument_id, content=row.content,
                         filename=row.filename, name=row.calendar_name,
                         calendar_id=row.calendar_id, kind=row.kind)  # fmt: skip


@transaction.atomic
def calendar_delete(*, actor: User, calendar: BlackoutCalendar | int) -> int:
    """Remove an imported calendar and all its windows (past ones too: the file they came
    from is gone); returns how many windows went. The instrument becomes bookable there."""
    pk = calendar.pk if isinstance(calendar, BlackoutCalendar) else calendar
    instrument_id = (
        BlackoutCalendar.objects.filter(pk=pk).values_list("instrument_id", flat=True).first()
    )
    if instrument_id is None:
        raise NotFound(_("Not found."), code="not_found")
    lock_instrument(actor=actor, instrument=instrument_id)
    removed, _per_model = Blackout.objects.filter(calendar_id=pk).delete()
    BlackoutCalendar.objects.filter(pk=pk).delete()
    return removed


def blackouts_import_ics(
    *, actor: User, instrument: Instrument | int, content: bytes,
    kind: str = Blackout.Kind.MAINTENANCE, filename: str = "", name: str = "",
    calendar_id: int | None = None,
) -> dict:  # fmt: skip
    """Import an .ics file's events as blackouts: ``calendar_sync`` under its older name."""
    return calendar_sync(actor=actor, instrument=instrument, content=content,
                         filename=filename, name=name, calendar_id=calendar_id, kind=kind)  # fmt: skip
