"""Admin for testing requests: read the record and its history; never rewrite them.
Status changes happen on the pages and the API, through the services."""

from django.contrib import admin

from booking.models import ServiceRequest, ServiceRequestAttachment, StateChange


class ServiceRequestHistoryInline(admin.TabularInline):
    model = StateChange
    fk_name = "service_request"
    extra = 0
    can_delete = False
    fields = ["at", "from_status", "to_status", "actor", "reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class AttachmentInline(admin.TabularInline):
    model = ServiceRequestAttachment
    extra = 0
    can_delete = False
    fields = ["name", "uploaded_by", "uploaded_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ServiceRequest)
class ServiceRequestAdmin(admin.ModelAdmin):
    list_display = ["id", "service", "firm", "status", "sample_count", "quote_fen", "due_on"]
    list_filter = ["status", "delivery", "report_accreditation"]
    search_fields = ["service__name", "firm__name", "requested_by__email", "report_number"]
    date_hierarchy = "created_at"
    list_select_related = ["service", "firm"]
    raw_id_fields = ["service", "firm", "requested_by"]
    # The report file is not linked here: it has no public URL; staff download it from
    # the request's page like the two parties do.
    exclude = ["report_file"]
    readonly_fields = [
        "status", "quote_fen", "fee_fen", "due_on", "sample_condition", "samples_received_at",
        "report_number", "report_accreditation", "reported_at", "created_at", "updated_at",
    ]  # fmt: skip
    inlines = [AttachmentInline, ServiceRequestHistoryInline]

    def has_add_permission(self, request):
        return False  # orders are placed through the service (quote, history, notices)

    def has_delete_permission(self, request, obj=None):
        return False  # counts and payments depend on completed requests
