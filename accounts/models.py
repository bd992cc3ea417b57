"""People, organisations and what each membership grants."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("email is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)


class User(AbstractUser):
    """A person; signs in with their email address."""

    username = None
    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default="zh-hans"
    )
    # The number on the person's badge (campus or company card), read by an instrument's
    # kiosk or interlock box to know who is at the instrument. Unique: one badge, one person.
    badge_number = models.CharField(
        _("badge number"), max_length=32, null=True, blank=True, unique=True
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []
    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def display_name(self) -> str:
        return self.full_name or self.email


class Region(models.Model):
    """A GB/T 2260 division, kept as data with a validity because codes change."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("Province")
        CITY = "city", _("City")
        COUNTY = "county", _("County")

    code = models.CharField(_("code"), max_length=6, primary_key=True)
    name_zh = models.CharField(_("Chinese name"), max_length=50)
    name_en = models.CharField(_("English name"), max_length=50, blank=True)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        from django.utils.translation import get_language

        if (get_language() or "").startswith("en") and self.name_en:
            return self.name_en
        return self.name_zh

    @property
    def city_code(self) -> str:
        return self.code[:4] + "00"

    @property
    def prefix(self) -> str:
        """Code prefix shared by this region and everything under it."""
        if self.level == self.Level.PROVINCE:
            return self.code[:2]
        if self.level == self.Level.CITY:
            return self.code[:4]
        return self.code


class Organisation(models.Model):
    class Kind(models.TextChoices):
        FIRM = "firm", _("Firm")
        PROVIDER = "provider", _("Provider")
        DEPARTMENT = "department", _("Science department")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, db_index=True)
    name = models.CharField(_("name"), max_length=200)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="organisations", verbose_name=_("region")
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        indexes = [models.Index(fields=["kind", "region"])]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user's hat in one organisation; the role decides what it grants."""

    class Role(models.TextChoices):
        FIRM_MEMBER = "firm_member", _("Firm member")
        LAB_MANAGER = "lab_manager", _("Lab manager")
        REVIEWER = "reviewer", _("Department reviewer")

    ROLE_FOR_KIND = {
        Organisation.Kind.FIRM: Role.FIRM_MEMBER,
        Organisation.Kind.PROVIDER: Role.LAB_MANAGER,
        Organisation.Kind.DEPARTMENT: Role.REVIEWER,
    }

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    is_admin = models.BooleanField(_("organisation administrator"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organisation} · {self.get_role_display()}"


class IndustrySizeRule(models.Model):
    """One row of 工信部联企业〔2011〕300号: small needs both thresholds, micro either below."""

    code = models.CharField(_("code"), max_length=30, primary_key=True)
    name_zh = models.CharField(_("Chinese name"), max_length=50)
    name_en = models.CharField(_("English name"), max_length=80)
    small_min_employees = models.PositiveIntegerField(_("small: employees at least"))
    small_min_revenue_fen = models.BigIntegerField(_("small: revenue at least (fen)"))
    medium_min_employees = models.PositiveIntegerField(_("medium: employees at least"))
    medium_min_revenue_fen = models.BigIntegerField(_("medium: revenue at least (fen)"))
    ordering = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["ordering", "code"]
        verbose_name = _("industry size rule")
        verbose_name_plural = _("industry size rules")

    def __str__(self) -> str:
        from django.utils.translation import get_language

        return self.name_en if (get_language() or "").startswith("en") else self.name_zh


class FirmProfile(models.Model):
    class Size(models.TextChoices):
        SMALL = "small", _("Small")
        MICRO = "micro", _("Micro")

    class Verification(models.TextChoices):
        PENDING = "pending", _("Pending verification")
        VERIFIED = "verified", _("Verified")
        REJECTED = "rejected", _("Rejected")

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="firm", primary_key=True
    )
    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    uscc_override_reason = models.TextField(_("check-character override reason"), blank=True)
    industry = models.ForeignKey(
        IndustrySizeRule, on_delete=models.PROTECT, verbose_name=_("industry")
    )
    employees = models.PositiveIntegerField(_("employees"))
    revenue_fen = models.BigIntegerField(_("annual operating revenue (fen)"))
    size_class = models.CharField(_("size class"), max_length=10, choices=Size.choices)
    size_reason = models.CharField(_("size classification reason"), max_length=300)
    legal_representative = models.CharField(_("legal representative"), max_length=50, blank=True)
    actual_controller = models.CharField(_("actual controller"), max_length=100, blank=True)
    verification = models.CharField(
        _("verification"),
        max_length=10,
        choices=Verification.choices,
        default=Verification.PENDING,
        db_index=True,
    )
    verification_note = models.TextField(_("verification note"), blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)

    class Meta:
        verbose_name = _("firm profile")
        verbose_name_plural = _("firm profiles")
        constraints = [
            models.CheckConstraint(condition=Q(revenue_fen__gte=0), name="firm_revenue_nonneg")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.uscc})"


class FirmVerificationChange(models.Model):
    """Who moved a firm's verification, when and why: registered, verified, rejected,
    resubmitted. Append-only; written by ``accounts.verification`` alone."""

    firm = models.ForeignKey(
        FirmProfile, on_delete=models.PROTECT, related_name="verification_history"
    )
    from_status = models.CharField(_("from"), max_length=10, blank=True)
    to_status = models.CharField(_("to"), max_length=10, choices=FirmProfile.Verification.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty when the system made the change."),
    )
    reason = models.TextField(_("reason"), blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("firm verification change")
        verbose_name_plural = _("firm verification changes")
        indexes = [models.Index(fields=["firm", "at"], name="firm_verification_at")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_status=models.F("to_status")), name="firm_verification_moves"
            )
        ]

    def __str__(self) -> str:
        return f"{self.firm_id}: {self.from_status or '—'} → {self.to_status}"

    @property
    def label(self) -> str:
        """The move in the domain's words: registered, verified, rejected, resubmitted."""
        V = FirmProfile.Verification
        if not self.from_status:
            return _("Registered")
        if self.from_status == V.REJECTED and self.to_status == V.PENDING:
            return _("Corrected and sent again")
        return V(self.to_status).label


class ProviderProfile(models.Model):
    class Kind(models.TextChoices):
        RESEARCH_PLATFORM = "research_platform", _("Research platform")
        UNIVERSITY_LAB = "university_lab", _("University lab")
        INSTITUTE_LAB = "institute_lab", _("Institute lab")
        INSPECTION_CENTRE = "inspection_centre", _("Inspection and testing centre")

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="provider", primary_key=True
    )
    kind = models.CharField(_("provider kind"), max_length=20, choices=Kind.choices)
    description = models.TextField(_("description"), blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    contact_name = models.CharField(_("contact name"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    website = models.URLField(_("website"), blank=True)

    class Meta:
        verbose_name = _("provider profile")
        verbose_name_plural = _("provider profiles")

    def __str__(self) -> str:
        return str(self.organisation)


class Accreditation(models.Model):
    """A provider's CMA or CNAS qualification."""

    class Type(models.TextChoices):
        CMA = "cma", "CMA"
        CNAS = "cnas", "CNAS"

    provider = models.ForeignKey(
        ProviderProfile, on_delete=models.CASCADE, related_name="accreditations"
    )
    type = models.CharField(_("type"), max_length=4, choices=Type.choices)
    certificate_no = models.CharField(_("certificate number"), max_length=50)
    expires_on = models.DateField(_("expires on"))
    scope = models.TextField(_("scope"), blank=True)

    class Meta:
        verbose_name = _("accreditation")
        verbose_name_plural = _("accreditations")
        constraints = [
            models.UniqueConstraint(fields=["type", "certificate_no"], name="accreditation_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.certificate_no}"

    def is_valid_on(self, day) -> bool:
        return self.expires_on >= day


class DepartmentProfile(models.Model):
    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="department", primary_key=True
    )
    region_scope = models.ForeignKey(
        Region, on_delete=models.PROTECT, verbose_name=_("region scope"), related_name="+"
    )

    class Meta:
        verbose_name = _("department profile")
        verbose_name_plural = _("department profiles")

    def __str__(self) -> str:
        return f"{self.organisation} ({self.region_scope})"


class ApiToken(models.Model):
    """A named API token; only its SHA-256 digest is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=8)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class IdempotencyRecord(models.Model):
    """The stored answer to a request made with an ``Idempotency-Key``."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    body = models.JSONField(null=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_unique_key")
        ]
