"""Admin for vouchers: read the record, never rewrite money. Balances and the ledger move
only through the services (vouchers/ledger.py); the admin shows them read-only."""

from django.contrib import admin

from vouchers.models import (
    LedgerEntry,
    OrderVoucherHold,
    Programme,
    ProgrammeChange,
    ProgrammeVersion,
    RelatedParty,
    Voucher,
    VoucherApplication,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class VersionInline(admin.TabularInline):
    model = ProgrammeVersion
    extra = 0
    can_delete = False
    fields = ["number", "created_at", "created_by", "note", "rules"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class ChangeInline(VersionInline):
    model = ProgrammeChange
    fields = ["at", "from_status", "to_status", "actor", "reason"]
    readonly_fields = fields


@admin.register(Programme)
class ProgrammeAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "name",
        "kind",
        "issuer",
        "region",
        "status",
        "version",
        "budget_fen",
        "issued_fen",
    ]
    list_filter = ["status", "kind"]
    search_fields = ["name", "issuer__name"]
    list_select_related = ["issuer", "region"]
    inlines = [VersionInline, ChangeInline]


class LedgerInline(VersionInline):
    model = LedgerEntry
    fields = ["at", "kind", "amount_fen", "order_kind", "order_id", "actor", "note"]
    readonly_fields = fields


@admin.register(Voucher)
class VoucherAdmin(ReadOnlyAdmin):
    list_display = ["code", "firm", "programme", "face_fen", "available_fen", "held_fen",
                    "captured_fen", "expired_fen", "expires_at"]  # fmt: skip
    search_fields = ["code", "firm__name"]
    list_select_related = ["firm", "programme"]
    raw_id_fields = ["firm", "programme", "application"]
    inlines = [LedgerInline]


@admin.register(VoucherApplication)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = ["id", "firm", "programme", "amount_fen", "status", "approved_fen", "applied_at"]
    list_filter = ["status"]
    list_select_related = ["firm", "programme"]


@admin.register(OrderVoucherHold)
class HoldAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "order_kind",
        "order_id",
        "voucher",
        "state",
        "held_fen",
        "captured_fen",
        "reversed_fen",
    ]
    list_filter = ["state", "order_kind"]
    list_select_related = ["voucher"]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ["id", "at", "voucher", "kind", "amount_fen", "order_kind", "order_id", "actor"]
    list_filter = ["kind"]
    list_select_related = ["voucher", "actor"]


@admin.register(RelatedParty)
class RelatedPartyAdmin(admin.ModelAdmin):
    list_display = ["organisation", "role", "name", "identifier", "declared_at"]
    search_fields = ["name", "identifier", "organisation__name"]
    raw_id_fields = ["organisation", "declared_by"]
