"""Admin: targets editable; events, counters and runs read-only (nothing a count depends
on is changed or deleted by hand: reconciliation rebuilds counters)."""

from django.contrib import admin

from tracker.models import ReconciliationRun, Target, UsageEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "region", "starts_on", "ends_on", "target_count", "department"]
    list_filter = ["kind"]
    list_select_related = ["region", "department"]
    raw_id_fields = ["department", "created_by"]


@admin.register(UsageEvent)
class UsageEventAdmin(ReadOnlyAdmin):
    list_display = ["order_kind", "order_id", "kind", "completed_on", "provider_county",
                    "fee_fen"]  # fmt: skip
    list_filter = ["kind"]
    date_hierarchy = "completed_on"
    show_full_result_count = False


@admin.register(ReconciliationRun)
class ReconciliationRunAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "finished_at", "period_from", "period_to", "differences",
                    "repaired"]  # fmt: skip
