"""Admin for the catalogue: the category tree, instruments with their hours and prices,
testing services, blackouts, qualifications and import batches (read-only).

Saving an instrument or a price through the admin keeps the search columns and the
denormalised outside-firm price in step (Instrument.save, Price.save)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from facilities.models import (
    Blackout,
    BlackoutCalendar,
    Category,
    ImportBatch,
    Instrument,
    InstrumentEnquiry,
    OpeningException,
    OpeningHours,
    Price,
    Qualification,
    TestingService,
    ThesaurusEntry,
)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "parent", "path"]
    search_fields = ["code", "name_zh", "name_en"]
    readonly_fields = ["path"]


class PriceInline(admin.TabularInline):
    model = Price
    extra = 0


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


class OpeningExceptionInline(admin.TabularInline):
    model = OpeningException
    extra = 0


@admin.register(Instrument)
class InstrumentAdmin(admin.ModelAdmin):
    list_display = ["name", "model_number", "provider", "category", "status", "is_shared",
                    "external_price_fen"]  # fmt: skip
    list_filter = [
        "status",
        "is_shared",
        "voucher_eligible",
        "requires_approval",
        "requires_training",
    ]
    search_fields = ["name", "name_en", "model_number", "manufacturer"]
    list_select_related = ["provider", "category"]
    raw_id_fields = ["provider"]
    readonly_fields = ["external_price_fen", "created_at", "updated_at"]
    inlines = [PriceInline, OpeningHoursInline, OpeningExceptionInline]


@admin.register(TestingService)
class TestingServiceAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "provider",
        "category",
        "price_fen",
        "price_unit",
        "turnaround_days",
        "is_active",
    ]
    list_filter = ["is_active", "price_unit", "voucher_eligible", "in_accredited_scope"]
    search_fields = ["name", "standards"]
    list_select_related = ["provider", "category"]
    raw_id_fields = ["provider"]


@admin.register(Blackout)
class BlackoutAdmin(admin.ModelAdmin):
    """Windows are added through the lab pages or the API, which refuse ones over live
    bookings; here they can be read and removed."""

    list_display = ["instrument", "kind", "start_at", "end_at", "source", "calendar", "reason"]
    list_filter = ["kind", "source"]
    raw_id_fields = ["instrument", "created_by", "calendar"]
    list_select_related = ["instrument", "calendar"]

    def has_add_permission(self, request):
        return False


@admin.register(BlackoutCalendar)
class BlackoutCalendarAdmin(admin.ModelAdmin):
    """Imported .ics calendars; their windows follow the file on each re-import (the lab
    pages and the API). Deleting one here removes its windows too."""

    list_display = ["name", "instrument", "kind", "filename", "synced_at"]
    search_fields = ["name", "instrument__name"]
    raw_id_fields = ["instrument", "created_by"]
    list_select_related = ["instrument"]
    readonly_fields = ["created_at", "synced_at"]

    def has_add_permission(self, request):
        return False


@admin.register(Qualification)
class QualificationAdmin(admin.ModelAdmin):
    list_display = ["user", "email", "instrument", "expires_on", "granted_at", "revoked_at"]
    search_fields = ["user__email", "email"]
    raw_id_fields = ["user", "instrument", "granted_by", "revoked_by"]
    list_select_related = ["user", "instrument"]


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = [
        "filename",
        "provider",
        "kind",
        "status",
        "saved_count",
        "created_by",
        "created_at",
    ]
    list_filter = ["kind", "status"]
    readonly_fields = [f.name for f in ImportBatch._meta.fields]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("rows"))
    def row_count(self, obj):
        return len(obj.rows)


@admin.register(ThesaurusEntry)
class ThesaurusEntryAdmin(admin.ModelAdmin):
    """The search thesaurus; a save applies to the next search of every process
    (facilities.search.thesaurus). Words are separated by commas or new lines."""

    list_display = ["term", "synonyms", "broader", "category_code", "is_active", "updated_at"]
    list_filter = ["is_active"]
    search_fields = ["term", "synonyms", "broader"]
    readonly_fields = ["updated_at"]
    fieldsets = [
        (None, {"fields": ["term", "synonyms", "broader", "category_code", "is_active"]}),
        (_("History"), {"fields": ["updated_at"]}),
    ]


@admin.register(InstrumentEnquiry)
class InstrumentEnquiryAdmin(admin.ModelAdmin):
    list_display = ["query", "category", "firm", "created_by", "created_at"]
    search_fields = ["query", "details"]
    list_select_related = ["category", "firm", "created_by"]
    raw_id_fields = ["firm", "created_by"]
