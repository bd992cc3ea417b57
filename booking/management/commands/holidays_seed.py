"""Add the holiday schedules of the years a newer ``chinesecalendar`` knows and the table
does not have yet; years already there (the administrator's entries) stay as they are."""

from django.core.management.base import BaseCommand
from django.db import transaction

from booking.holiday_seed import seed_schedules
from booking.models import HolidaySchedule, OfficialDay


class Command(BaseCommand):
    help = "Seed missing years of the official holiday schedule from chinesecalendar."

    def handle(self, *args, **options):
        with transaction.atomic():
            added = seed_schedules(HolidaySchedule, OfficialDay)
        self.stdout.write(f"added years: {', '.join(map(str, added)) or 'none'}")
