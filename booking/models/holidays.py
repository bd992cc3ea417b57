"""The State Council's holiday schedule (放假安排), one row per day that differs from an
ordinary week: a holiday off, or a weekend day moved to work (调休).

Announced each November for the next year; the site administrator enters it in the admin
the day it is published. Seeded from ``chinesecalendar`` for the years that library knows
(``booking.holiday_seed``). A year without a schedule falls back on the statutory holidays
(``booking.statutory_holidays``) and the due dates it gives are provisional.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Festival(models.TextChoices):
    NEW_YEAR = "new_year", _("New Year's Day")
    SPRING_FESTIVAL = "spring_festival", _("Spring Festival")
    TOMB_SWEEPING = "tomb_sweeping", _("Tomb-sweeping Day")
    LABOUR_DAY = "labour_day", _("Labour Day")
    DRAGON_BOAT = "dragon_boat", _("Dragon Boat Festival")
    MID_AUTUMN = "mid_autumn", _("Mid-Autumn Festival")
    NATIONAL_DAY = "national_day", _("National Day")
    OTHER = "other", _("Other")


class HolidaySchedule(models.Model):
    """One year's announced schedule. Its existence is what makes the year's due dates
    final: without it they are provisional."""

    class Source(models.TextChoices):
        LIBRARY = "chinesecalendar", _("chinesecalendar library")
        ADMIN = "admin", _("Entered by the administrator")

    year = models.PositiveSmallIntegerField(_("year"), primary_key=True)
    source = models.CharField(
        _("source"), max_length=20, choices=Source.choices, default=Source.ADMIN
    )
    note = models.CharField(
        _("note"), max_length=200, blank=True, help_text=_("e.g. the notice's number")
    )

    class Meta:
        ordering = ["-year"]
        verbose_name = _("holiday schedule")
        verbose_name_plural = _("holiday schedules")
        constraints = [
            models.CheckConstraint(
                condition=Q(year__gte=2000, year__lte=2200), name="holiday_schedule_year_sane"
            )
        ]

    def __str__(self) -> str:
        return str(self.year)


class OfficialDay(models.Model):
    """A day off for a festival, or a weekend day worked in exchange (调休)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Holiday (day off)")
        WORKDAY = "workday", _("Adjusted working day")

    schedule = models.ForeignKey(
        HolidaySchedule, on_delete=models.CASCADE, related_name="days", verbose_name=_("year")
    )
    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    festival = models.CharField(
        _("festival"), max_length=20, choices=Festival.choices, default=Festival.OTHER
    )

    class Meta:
        ordering = ["date"]
        verbose_name = _("official day")
        verbose_name_plural = _("official days")

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()}"

    def clean(self) -> None:
        if self.date and self.schedule_id and self.date.year != self.schedule_id:
            raise ValidationError(
                {
                    "date": _("This date is not in the schedule's year %(year)s.")
                    % {"year": self.schedule_id}
                }  # fmt: skip
            )
