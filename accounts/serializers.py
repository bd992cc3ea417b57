"""Shapes of the accounts API. Input serializers only parse; services decide."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.models import ApiToken, FirmProfile, Membership, Organisation, User
from config.bounds import BoundedDateTimeField
from config.fields import StrictIntegerField, StrictModelSerializer
from config.schema import ErrorSerializer  # noqa: F401 - the API views document errors with it


class TokenObtainSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})


class TokenObtainedSerializer(serializers.Serializer):
    token = serializers.CharField(help_text=_("Use as `Authorization: Token <key>`."))


class OrganisationSerializer(StrictModelSerializer):
    region_code = serializers.CharField(source="region_id", read_only=True)
    region_name = serializers.CharField(source="region.name_zh", read_only=True)

    class Meta:
        model = Organisation
        fields = ["id", "name", "kind", "region_code", "region_name", "is_active", "created_at"]
        read_only_fields = fields


class MembershipSerializer(StrictModelSerializer):
    organisation = serializers.SerializerMethodField()

    class Meta:
        model = Membership
        fields = ["id", "organisation", "role", "is_admin"]
        read_only_fields = fields

    def get_organisation(self, obj) -> dict:
        org = obj.organisation
        return {"id": org.pk, "name": org.name, "kind": org.kind}


class MeSerializer(StrictModelSerializer):
    memberships = MembershipSerializer(many=True, read_only=True)

    class Meta:
        model = User
        fields = ["id", "email", "full_name", "phone", "language", "badge_number", "memberships"]
        read_only_fields = ["id", "email", "memberships"]


class MeUpdateSerializer(serializers.Serializer):
    full_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    language = serializers.ChoiceField(choices=settings.LANGUAGES, required=False)
    badge_number = serializers.CharField(
        max_length=32, required=False, allow_blank=True,
        help_text="The number on your badge, read by instrument kiosks; empty removes it.",
    )  # fmt: skip


class FirmSerializer(StrictModelSerializer):
    id = StrictIntegerField(source="organisation_id", read_only=True)
    name = serializers.CharField(source="organisation.name", read_only=True)
    region_code = serializers.CharField(source="organisation.region_id", read_only=True)
    industry_code = serializers.CharField(source="industry_id", read_only=True)

    class Meta:
        model = FirmProfile
        fields = [
            "id",
            "name",
            "uscc",
            "region_code",
            "industry_code",
            "employees",
            "revenue_fen",
            "size_class",
            "size_reason",
            "legal_representative",
            "actual_controller",
            "verification",
            "verification_note",
            "verified_at",
        ]
        read_only_fields = fields


class FirmRegisterSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    uscc = serializers.CharField(max_length=30, help_text=_("18-character code, GB 32100-2015."))
    region_code = serializers.CharField(max_length=6, help_text=_("GB/T 2260 city or county."))
    industry_code = serializers.CharField(max_length=30)
    employees = StrictIntegerField(min_value=0, max_value=10_000_000)
    revenue_fen = StrictIntegerField(min_value=0, max_value=10**15)
    legal_representative = serializers.CharField(max_length=50, required=False, allow_blank=True)
    actual_controller = serializers.CharField(max_length=100, required=False, allow_blank=True)
    override_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=_("Site administrators only: accept a code whose check character fails."),
    )


class FirmResubmitSerializer(FirmRegisterSerializer):
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text=_("What was corrected; the reviewers see it in the firm's history."),
    )


class FirmVerificationChangeSerializer(serializers.Serializer):
    from_status = serializers.CharField(help_text=_("Empty for the registration."))
    to_status = serializers.CharField()
    actor = serializers.CharField(source="actor.display_name", default=None)
    reason = serializers.CharField()
    at = BoundedDateTimeField()


class FirmDecisionSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class ApiTokenSerializer(StrictModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "last_used_at", "revoked_at"]
        read_only_fields = fields


class ApiTokenCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    key = serializers.CharField(read_only=True, help_text=_("Shown once; store it now."))

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "key"]
        read_only_fields = fields
