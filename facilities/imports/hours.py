"""A weekly opening pattern as people type it in a spreadsheet cell, and back.

``周一至周五 08:30-17:30；周六 09:00-12:00`` or ``Mon-Fri 08:30-17:30; Sat 09:00-12:00``:
segments separated by ``;`` (or a new line), each a set of days (ranges with 至 / - / ~,
lists with 、 or ,) and one or more time spans. The value kept in an ImportBatch row is
JSON: ``[[weekday 0=Mon…6=Sun, "HH:MM", "HH:MM"], …]``.
"""

from __future__ import annotations

import re

DAY_NAMES = {
    **{f"{prefix}{name}": i for prefix in ("周", "星期", "礼拜")
       for i, name in enumerate(["一", "二", "三", "四", "五", "六", "日"])},
    "周天": 6, "星期天": 6,
    **{name: i for i, name in enumerate(["mon", "tue", "wed", "thu", "fri", "sat", "sun"])},
    **{name: i for i, name in enumerate(
        ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])},
}  # fmt: skip
EVERY_DAY = {"每天", "每日", "全周", "daily", "every day", "mon-sun"}
_TIME = r"\d{1,2}[:：]\d{2}"
_SPAN = rf"{_TIME}\s*(?:-|–|—|~|～|至|到|to)\s*{_TIME}"
_SEGMENT = re.compile(rf"^(?P<days>.*?)\s*(?P<spans>{_SPAN}(?:\s*[,，、]\s*{_SPAN})*)$", re.I)
_RANGE = re.compile(r"\s*(?:-|–|—|~|～|至|到|to)\s*", re.I)
ZH_DAYS = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]


class HoursError(ValueError):
    pass


def _minutes(text: str) -> int:
    hours, minutes = (int(p) for p in text.replace("：", ":").split(":"))
    if hours > 23 or minutes > 59:  # a TimeField has no 24:00
        raise HoursError(text)
    return hours * 60 + minutes


def _days(text: str) -> list[int]:
    text = text.strip().lower().rstrip(":：")
    if not text or text in EVERY_DAY:
        return list(range(7))
    days: list[int] = []
    for part in re.split(r"\s*[、,，/]\s*", text):
        ends = _RANGE.split(part)
        if len(ends) == 1 and ends[0] in DAY_NAMES:
            days.append(DAY_NAMES[ends[0]])
        elif len(ends) == 2 and ends[0] in DAY_NAMES and ends[1] in DAY_NAMES:
            first, last = DAY_NAMES[ends[0]], DAY_NAMES[ends[1]]
            days.extend(
                range(first, last + 1) if first <= last else [*range(first, 7), *range(last + 1)]
            )
        else:
            raise HoursError(part)
    return days


def parse_hours(text: str) -> list[list]:
    """The weekly windows of a cell, sorted; raises HoursError for anything unreadable,
    a closing time not after the opening time, or two windows of one day overlapping."""
    windows: set[tuple[int, int, int]] = set()
    for segment in re.split(r"\s*[;；\n]\s*", text.strip()):
        if not segment:
            continue
        match = _SEGMENT.match(segment)
        if match is None:
            raise HoursError(segment)
        spans = [
            tuple(_minutes(t) for t in _RANGE.split(span.strip()))
            for span in re.split(r"\s*[,，、]\s*", match["spans"])
        ]
        for day in _days(match["days"]):
            for opens, closes in spans:
                if closes <= opens:
                    raise HoursError(segment)
                windows.add((day, opens, closes))
    ordered = sorted(windows)
    for before, after in zip(ordered, ordered[1:], strict=False):
        if before[0] == after[0] and before[2] > after[1]:
            raise HoursError(text)
    return [
        [d, f"{o // 60:02d}:{o % 60:02d}", f"{c // 60:02d}:{c % 60:02d}"] for d, o, c in ordered
    ]


def format_hours(windows) -> str:
    """``(weekday, opens, closes)`` rows (times or "HH:MM") as the cell text the parser
    reads: days with the same spans grouped, runs of days written as ranges."""
    by_day: dict[int, list[str]] = {}
    for day, opens, closes in sorted((d, str(o)[:5], str(c)[:5]) for d, o, c in windows):
        by_day.setdefault(day, []).append(f"{opens}-{closes}")
    groups: dict[str, list[int]] = {}
    for day, spans in by_day.items():
        groups.setdefault(", ".join(spans), []).append(day)
    parts = []
    for spans, days in sorted(groups.items(), key=lambda item: item[1][0]):
        parts.append(f"{_day_text(days)} {spans}")
    return "；".join(parts)


def _day_text(days: list[int]) -> str:
    runs: list[list[int]] = []
    for day in days:
        if runs and runs[-1][-1] == day - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    if days == list(range(7)):
        return "每天"
    return "、".join(
        f"{ZH_DAYS[r[0]]}至{ZH_DAYS[r[-1]]}" if len(r) > 2 else "、".join(ZH_DAYS[d] for d in r)
        for r in runs
    )
