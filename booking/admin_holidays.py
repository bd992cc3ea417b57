"""The holiday schedule in the admin: the site administrator enters a new year's
放假安排 the day the State Council announces it (each November), one row per day off and
per adjusted working day; from then on that year's due dates are final."""

from django.contrib import admin
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from booking.models import HolidaySchedule, OfficialDay


class OfficialDayInline(admin.TabularInline):
    model = OfficialDay
    extra = 3
    fields = ["date", "kind", "festival"]


@admin.register(HolidaySchedule)
class HolidayScheduleAdmin(admin.ModelAdmin):
    list_display = ["year", "source", "holiday_count", "workday_count", "note"]
    list_filter = ["source"]
    inlines = [OfficialDayInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                holidays=Count("days", filter=Q(days__kind=OfficialDay.Kind.HOLIDAY)),
                workdays=Count("days", filter=Q(days__kind=OfficialDay.Kind.WORKDAY)),
            )
        )

    @admin.display(description=_("days off"), ordering="holidays")
    def holiday_count(self, obj) -> int:
        return obj.holidays

    @admin.display(description=_("adjusted working days"), ordering="workdays")
    def workday_count(self, obj) -> int:
        return obj.workdays

    def get_readonly_fields(self, request, obj=None):
        # The year is the key: changing it would move every day to the wrong year.
        return ["year"] if obj else []
