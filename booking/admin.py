"""Admin for bookings: read the record, never rewrite history. Status changes go through
the services (admin actions), so the StateChange trail stays complete."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from booking.models import Booking, FeedToken, Notification, Session, StateChange
from booking.services.bookings import booking_approve
from config.errors import DomainError


class SessionInline(admin.StackedInline):
    model = Session
    extra = 0
    can_delete = False
    readonly_fields = ["actual_start_at", "actual_end_at", "operator", "notes"]


class HistoryInline(admin.TabularInline):
    model = StateChange
    fk_name = "booking"
    extra = 0
    can_delete = False
    fields = ["at", "from_status", "to_status", "actor", "reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "instrument",
        "firm",
        "start_at",
        "end_at",
        "status",
        "quote_fen",
        "fee_fen",
    ]
    list_filter = ["status", "client_group"]
    search_fields = ["instrument__name", "firm__name", "booked_by__email", "purpose"]
    date_hierarchy = "start_at"
    list_select_related = ["instrument", "firm"]
    raw_id_fields = ["instrument", "firm", "booked_by"]
    readonly_fields = [
        "status", "client_group", "rate_per_hour_fen", "quote_fen", "fee_fen",
        "reminder_sent_at", "created_at", "updated_at",
    ]  # fmt: skip
    inlines = [SessionInline, HistoryInline]
    actions = ["approve"]

    def has_add_permission(self, request):
        return False  # bookings are made through the booking service (rules, lock, history)

    def has_delete_permission(self, request, obj=None):
        return False  # counts and payments depend on bookings

    @admin.action(description=_("Approve selected requests"))
    def approve(self, request, queryset):
        done = 0
        for booking in queryset.select_related("instrument"):
            try:
                booking_approve(actor=request.user, booking=booking, reason="admin")
                done += 1
            except DomainError as exc:
                self.message_user(request, f"#{booking.pk}: {exc.message}", messages.WARNING)
        self.message_user(request, _("%(n)s approved.") % {"n": done})


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "title", "created_at", "read_at"]
    list_filter = ["kind"]
    search_fields = ["user__email", "title"]
    raw_id_fields = ["user"]


@admin.register(FeedToken)
class FeedTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "instrument", "created_at"]
    raw_id_fields = ["user", "instrument"]
    exclude = ["token"]


# The testing requests, holidays, the waitlist and the kiosk tokens keep their admin in own modules.
from booking import admin_holidays, admin_service_requests, admin_waitlist  # noqa: E402, F401
