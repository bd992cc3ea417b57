from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts import models
from accounts.services import firm_uscc_check
from accounts.verification import verification_record_registration
from config.errors import DomainError


@admin.register(models.User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_staff", "is_active", "date_joined"]
    search_fields = ["email", "full_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Personal info"), {"fields": ["full_name", "phone", "language"]}),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]


class MembershipInline(admin.TabularInline):
    model = models.Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(models.Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "region", "is_active", "created_at"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]
    inlines = [MembershipInline]


@admin.register(models.Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "level", "parent", "valid_from", "valid_to"]
    list_filter = ["level"]
    search_fields = ["code", "name_zh", "name_en"]


@admin.register(models.IndustrySizeRule)
class IndustrySizeRuleAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name_zh",
        "small_min_employees",
        "small_min_revenue_fen",
        "medium_min_employees",
        "medium_min_revenue_fen",
    ]


class FirmProfileAdminForm(forms.ModelForm):
    """Validates the credit code as registration does; a site administrator may accept a code
    whose check character fails by giving a reason, which stays on record."""

    actor = None  # set by FirmProfileAdmin.get_form

    class Meta:
        model = models.FirmProfile
        fields = [
            "organisation",
            "uscc",
            "uscc_override_reason",
            "industry",
            "employees",
            "revenue_fen",
            "size_class",
            "size_reason",
            "legal_representative",
            "actual_controller",
        ]
        help_texts = {
            "uscc_override_reason": _(
                "Only if a real code fails the check character: say how it was confirmed "
                "(e.g. the business licence was seen). Leave empty otherwise."
            )
        }

    def clean(self):
        data = super().clean()
        if data.get("uscc"):
            try:
                code, reason = firm_uscc_check(
                    actor=self.actor,
                    uscc=data["uscc"],
                    override_reason=data.get("uscc_override_reason", ""),
                )
            except DomainError as error:
                raise forms.ValidationError({"uscc": str(error.message)}) from error
            data["uscc"], data["uscc_override_reason"] = code, reason
        return data


class FirmVerificationChangeInline(admin.TabularInline):
    """The firm's verification history, read-only: reviewers move it through their queue
    (accounts.verification), never by editing here."""

    model = models.FirmVerificationChange
    extra = 0
    can_delete = False
    fields = readonly_fields = ["at", "from_status", "to_status", "actor", "reason"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(models.FirmProfile)
class FirmProfileAdmin(admin.ModelAdmin):
    form = FirmProfileAdminForm
    list_display = ["organisation", "uscc", "size_class", "verification", "verified_at"]
    list_filter = ["verification", "size_class"]
    search_fields = ["uscc", "organisation__name"]
    list_select_related = ["organisation"]
    raw_id_fields = ["organisation"]
    readonly_fields = ["verification", "verification_note", "verified_by", "verified_at"]
    inlines = [FirmVerificationChangeInline]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.actor = request.user
        return form

    def save_model(self, request, obj, form, change) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            if not change:  # a firm added here is registered like any other
                verification_record_registration(obj, actor=request.user)


class AccreditationInline(admin.TabularInline):
    model = models.Accreditation
    extra = 0


@admin.register(models.ProviderProfile)
class ProviderProfileAdmin(admin.ModelAdmin):
    list_display = ["organisation", "kind"]
    list_filter = ["kind"]
    inlines = [AccreditationInline]


@admin.register(models.DepartmentProfile)
class DepartmentProfileAdmin(admin.ModelAdmin):
    list_display = ["organisation", "region_scope"]


@admin.register(models.ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["digest"]
