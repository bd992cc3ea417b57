from django.contrib import admin

from statements.models import InvoiceChange, InvoiceRequest, Statement, StatementLine


class LineInline(admin.TabularInline):
    model = StatementLine
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "order_kind", "order_id", "completed_at", "item_name", "minutes",
                       "samples", "fee_fen", "voucher_fen", "firm_fen"]  # fmt: skip

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Statement)
class StatementAdmin(admin.ModelAdmin):
    """Read-only: a statement is frozen when issued; a mistake is corrected by the next one."""

    list_display = ["number", "provider", "firm", "month", "line_count", "fee_fen", "voucher_fen",
                    "firm_fen", "issued_at"]  # fmt: skip
    list_filter = ["month"]
    search_fields = ["number", "provider__name", "firm__name"]
    list_select_related = ["provider", "firm"]
    inlines = [LineInline]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False


class ChangeInline(admin.TabularInline):
    model = InvoiceChange
    extra = 0
    can_delete = False
    readonly_fields = ["from_status", "to_status", "actor", "reason", "at"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(InvoiceRequest)
class InvoiceRequestAdmin(admin.ModelAdmin):
    """Read-only here: the state moves only through statements.invoices."""

    list_display = ["statement", "status", "amount_fen", "title", "invoice_number", "created_at"]
    list_filter = ["status"]
    list_select_related = ["statement"]
    inlines = [ChangeInline]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False
