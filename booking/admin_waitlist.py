"""Admin for the waitlist and the kiosk tokens: read-only records; every change goes
through the services (claims through booking_create, revocation through the token page)."""

from django.contrib import admin

from booking.models import InstrumentToken, WaitlistEntry


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(_ReadOnly):
    list_display = ["pk", "instrument", "firm", "start_at", "end_at", "status", "created_at"]
    list_filter = ["status"]
    list_select_related = ["instrument", "firm"]
    raw_id_fields = ["instrument", "firm", "joined_by", "booking"]


@admin.register(InstrumentToken)
class InstrumentTokenAdmin(_ReadOnly):
    list_display = ["name", "instrument", "prefix", "created_by", "created_at", "revoked_at"]
    list_select_related = ["instrument", "created_by"]
    exclude = ["digest"]
    raw_id_fields = ["instrument", "created_by", "revoked_by"]
