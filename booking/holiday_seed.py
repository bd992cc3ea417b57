"""Fill the holiday table from ``chinesecalendar`` for the years it publishes and the table
does not have yet (an administrator's own entries are never overwritten). Run by the
migration that creates the table and by ``manage.py holidays_seed`` after the library is
upgraded."""

from __future__ import annotations

import chinese_calendar

# chinesecalendar's Holiday names → ours
_FESTIVALS = {
    "new_years_day": "new_year",
    "spring_festival": "spring_festival",
    "tomb_sweeping_day": "tomb_sweeping",
    "labour_day": "labour_day",
    "dragon_boat_festival": "dragon_boat",
    "mid_autumn_festival": "mid_autumn",
    "national_day": "national_day",
}


def _festival(name: str) -> str:
    for holiday in chinese_calendar.Holiday:
        if holiday.value == name:
            return _FESTIVALS.get(holiday.name, "other")
    return "other"


def seed_schedules(schedule_model, day_model) -> list[int]:
    """Create the missing years; return them. Takes the model classes so the migration
    can pass its historical ones."""
    by_year: dict[int, list] = {}
    for kind, table in (("holiday", chinese_calendar.holidays),
                        ("workday", chinese_calendar.workdays)):  # fmt: skip
        for date, name in table.items():
            by_year.setdefault(date.year, []).append((date, kind, _festival(name)))
    have = set(schedule_model.objects.values_list("year", flat=True))
    added = []
    for year in sorted(set(by_year) - have):
        schedule = schedule_model.objects.create(year=year, source="chinesecalendar")
        day_model.objects.bulk_create(
            day_model(schedule=schedule, date=date, kind=kind, festival=festival)
            for date, kind, festival in sorted(by_year[year])
        )
        added.append(year)
    return added
