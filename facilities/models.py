"""What providers share: instruments with their calendars, rules and prices, and
testing services."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from config.text import CATALOGUE_TEXT, text_errors
from facilities.accreditation_scope import covering
from facilities.search import TokenField
from facilities.search import build as build_search


class Category(models.Model):
    """A node of the instrument and service category tree; ``path`` makes subtrees cheap."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=80)
    name_en = models.CharField(_("English name"), max_length=120, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=200, db_index=True, editable=False)

    class Meta:
        ordering = ["path"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        from django.utils.translation import get_language

        if (get_language() or "").startswith("en") and self.name_en:
            return self.name_en
        return self.name_zh

    def save(self, *args, **kwargs):
        self.path = f"{self.parent.path}/{self.code}" if self.parent_id else self.code
        super().save(*args, **kwargs)


class Instrument(models.Model):
    """Bookable equipment, with the national sharing platform's fields and its booking rules."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        MAINTENANCE = "maintenance", _("Under maintenance")
        RETIRED = "retired", _("Retired")

    provider = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="instruments",
        limit_choices_to={"kind": Organisation.Kind.PROVIDER},
        verbose_name=_("provider"),
    )
    name = models.CharField(_("name"), max_length=200)
    # The English name people also search by (Field emission SEM, Universal testing machine).
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    model_number = models.CharField(_("model"), max_length=100, blank=True)
    manufacturer = models.CharField(_("manufacturer"), max_length=200, blank=True)
    country_of_origin = models.CharField(_("country of origin"), max_length=50, blank=True)
    original_value_fen = models.BigIntegerField(_("original value (fen)"), default=0)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="instruments", verbose_name=_("category")
    )
    start_of_use = models.DateField(_("start of use"), null=True, blank=True)
    specifications = models.TextField(_("technical specifications"), blank=True)
    main_uses = models.TextField(_("main uses"), blank=True)
    service_content = models.TextField(_("service content"), blank=True)
    reference_fees = models.TextField(_("reference fees"), blank=True)
    location = models.CharField(_("location"), max_length=200, blank=True)
    contact_name = models.CharField(_("contact name"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    photo = models.ImageField(_("photo"), upload_to="instruments/", blank=True)
    is_shared = models.BooleanField(_("shared"), default=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE
    )
    voucher_eligible = models.BooleanField(_("voucher eligible"), default=True)
    # Denormalised for fast catalogue filtering and sorting; kept in step by the services.
    external_price_fen = models.BigIntegerField(
        _("price per hour for outside firms (fen)"), null=True, blank=True, editable=False
    )
    search_text = models.TextField(blank=True, default="", editable=False)
    search_tokens = TokenField(blank=True, default="", editable=False)
    # The provider's region code (GB/T 2260), copied so the catalogue's city filter narrows
    # on this table's own index together with the category (no join to the organisation).
    # Kept in step by save() and, when a provider moves, by facilities.regions.
    region_code = models.CharField(max_length=6, blank=True, default="", editable=False)
    # Free bookable minutes in the next 7 days, precomputed for the search ranking's "has
    # free time soon" (facilities.services.free_time, refreshed by a beat task); NULL
    # until first computed. Never computed per result at query time.
    free_minutes_7d = models.PositiveIntegerField(null=True, blank=True, editable=False)
    free_checked_at = models.DateTimeField(null=True, blank=True, editable=False)

    # Booking rules
    requires_approval = models.BooleanField(_("approval needed"), default=True)
    requires_training = models.BooleanField(_("training needed"), default=False)
    slot_minutes = models.PositiveSmallIntegerField(_("slot size (minutes)"), default=30)
    min_minutes = models.PositiveIntegerField(_("minimum length (minutes)"), default=30)
    max_minutes = models.PositiveIntegerField(_("maximum length (minutes)"), default=480)
    lead_minutes = models.PositiveIntegerField(_("lead time (minutes)"), default=60)
    horizon_days = models.PositiveSmallIntegerField(_("booking horizon (days)"), default=60)
    cancel_cutoff_hours = models.PositiveSmallIntegerField(
        _("cancellation cut-off (hours)"), default=24
    )

    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("instrument")
        verbose_name_plural = _("instruments")
        indexes = [
            models.Index(fields=["provider", "status"]),
            models.Index(fields=["category", "status"]),
            # One index per catalogue sort order, so "first page" is an ordered index scan
            # that stops after 20 hits instead of sorting every match.
            models.Index(fields=["name", "id"], name="instrument_by_name"),
            models.Index(fields=["external_price_fen", "id"], name="instrument_by_price"),
            # instrument_by_price_desc (DESC NULLS LAST) is PostgreSQL-only: migration 0005.
            models.Index(fields=["-created_at", "-id"], name="instrument_by_newest"),
            # City (a code range) and category subtree (an id list) in one index scan.
            models.Index(fields=["region_code", "category"], name="instrument_by_region"),
            # The same with a category: its equality first, so the scan covers that
            # category's rows of the city only (~550 of 50,000, not the city's ~7,000). The
            # planner, sure that a text match is rare, skipped the city's range and fetched
            # every text-and-category match (3,500 heap pages for 显微镜 + Hangzhou).
            models.Index(fields=["category", "region_code"], name="instrument_by_category_region"),
            # The free-time refresh picks the stalest rows first.
            models.Index(fields=["free_checked_at"], name="instrument_by_free_checked"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(original_value_fen__gte=0), name="instrument_value_nonneg"
            ),
            models.CheckConstraint(
                condition=Q(slot_minutes__gte=5)
                & Q(min_minutes__gte=1)
                & Q(max_minutes__gte=models.F("min_minutes")),
                name="instrument_rule_lengths",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.model_number}".strip()

    def save(self, *args, **kwargs):
        # Search columns follow the row whoever saves it (services, admin, factories).
        self.search_text, self.search_tokens = build_search(*self.searchable_parts())
        self.region_code = self.provider.region_id or ""
        super().save(*args, **kwargs)

    # An hour free in the next 7 days ranks as "has free time soon" (free_minutes_7d).
    FREE_SOON_MINUTES = 60

    LONG_TEXT = ("specifications", "main_uses", "service_content", "reference_fees")

    def clean(self) -> None:
        """``instrument_rule_lengths`` in words: a field that fails here is left out of the
        constraint check, so the user reads which length is wrong, never the constraint."""
        errors = {}
        if self.slot_minutes is not None and self.slot_minutes < 5:
            errors["slot_minutes"] = _("A slot lasts at least 5 minutes.")
        if self.min_minutes is not None and self.min_minutes < 1:
            errors["min_minutes"] = _("The minimum length is at least 1 minute.")
        if (
            self.min_minutes is not None
            and self.max_minutes is not None
            and self.max_minutes < self.min_minutes
        ):
            errors["max_minutes"] = _(
                "The maximum length (%(max)s min) cannot be shorter than the minimum (%(min)s min)."
            ) % {"max": self.max_minutes, "min": self.min_minutes}
        errors |= text_errors(
            {name: (getattr(self, name), CATALOGUE_TEXT) for name in self.LONG_TEXT}
        )
        if errors:
            raise ValidationError(errors)

    @property
    def is_large(self) -> bool:
        return self.original_value_fen >= settings.LARGE_INSTRUMENT_THRESHOLD_FEN

    def searchable_parts(self) -> list[str]:
        category = self.category
        return [
            self.name,
            self.name_en,
            self.model_number,
            self.manufacturer,
            category.name_zh,
            category.name_en,
            self.provider.name,
            self.location,
            self.main_uses,
            self.service_content,
            self.specifications,
        ]


class OpeningHours(models.Model):
    """A weekly opening window in local wall-clock time (Asia/Shanghai)."""

    instrument = models.ForeignKey(
        Instrument, on_delete=models.CASCADE, related_name="opening_hours"
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), help_text=_("0 = Monday … 6 = Sunday"))
    opens_at = models.TimeField(_("opens at"))
    closes_at = models.TimeField(_("closes at"))

    class Meta:
        ordering = ["weekday", "opens_at"]
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        constraints = [
            models.CheckConstraint(condition=Q(weekday__lte=6), name="opening_weekday_range"),
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="opening_closes_after_opens"
            ),
        ]


class OpeningException(models.Model):
    """A dated change to the weekly pattern: closed for a holiday, or special hours."""

    instrument = models.ForeignKey(
        Instrument, on_delete=models.CASCADE, related_name="opening_exceptions"
    )
    date = models.DateField(_("date"))
    is_closed = models.BooleanField(_("closed all day"), default=True)
    opens_at = models.TimeField(_("opens at"), null=True, blank=True)
    closes_at = models.TimeField(_("closes at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("opening exception")
        verbose_name_plural = _("opening exceptions")
        constraints = [
            models.UniqueConstraint(fields=["instrument", "date"], name="opening_exception_unique")
        ]


class BlackoutCalendar(models.Model):
    """An .ics calendar imported into one instrument: its windows follow the file, so a
    re-import of the edited file adds, moves, shortens and removes windows to match."""

    instrument = models.ForeignKey(
        Instrument, on_delete=models.CASCADE, related_name="blackout_calendars"
    )
    name = models.CharField(_("calendar name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, default="maintenance")
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    synced_at = models.DateTimeField(_("last imported"), default=timezone.now)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("imported calendar")
        verbose_name_plural = _("imported calendars")
        constraints = [
            models.UniqueConstraint(
                fields=["instrument", "name"], name="blackout_calendar_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name


class CalendarUpload(models.Model):
    """An uploaded .ics waiting for the manager to confirm the changes its preview showed.
    Confirming re-reads the file and re-computes the changes under the instrument lock."""

    class Status(models.TextChoices):
        PREVIEW = "preview", _("Waiting for confirmation")
        CONFIRMED = "confirmed", _("Saved")

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="+")
    calendar = models.ForeignKey(
        BlackoutCalendar, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    calendar_name = models.CharField(_("calendar name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    content = models.TextField()
    changes = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREVIEW)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("calendar upload")
        verbose_name_plural = _("calendar uploads")


class Blackout(models.Model):
    """A window when the instrument cannot be booked (maintenance, calibration, closure)."""

    class Kind(models.TextChoices):
        MAINTENANCE = "maintenance", _("Maintenance")
        BLACKOUT = "blackout", _("Unavailable")

    class Source(models.TextChoices):
        MANUAL = "manual", _("Entered by hand")
        ICS = "ics", _("Imported from .ics")

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="blackouts")
    kind = models.CharField(
        _("kind"), max_length=12, choices=Kind.choices, default=Kind.MAINTENANCE
    )
    start_at = models.DateTimeField(_("start"))
    end_at = models.DateTimeField(_("end"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.MANUAL)
    # The event's UID (a hash when longer than the column) and, for a recurring event, the
    # occurrence's RECURRENCE-ID: what identifies the window in the next import of the file.
    source_uid = models.CharField(max_length=255, blank=True)
    source_occurrence = models.CharField(max_length=40, blank=True, default="")
    calendar = models.ForeignKey(
        BlackoutCalendar,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="windows",
        verbose_name=_("imported calendar"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["start_at"]
        verbose_name = _("blackout window")
        verbose_name_plural = _("blackout windows")
        indexes = [models.Index(fields=["instrument", "start_at", "end_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_at__gt=models.F("start_at")), name="blackout_end_after_start"
            ),
            # One window per event occurrence of an imported calendar.
            models.UniqueConstraint(
                fields=["calendar", "source_uid", "source_occurrence"],
                condition=Q(source="ics"),
                name="blackout_ics_unique_event",
            ),
        ]


class Price(models.Model):
    class ClientGroup(models.TextChoices):
        INTERNAL = "internal", _("Provider's own staff")
        EXTERNAL_FIRM = "external_firm", _("Outside firms")
        ACADEMIC = "academic", _("Other universities and institutes")

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="prices")
    client_group = models.CharField(_("client group"), max_length=16, choices=ClientGroup.choices)
    per_hour_fen = models.BigIntegerField(_("price per hour (fen)"))

    class Meta:
        verbose_name = _("price")
        verbose_name_plural = _("prices")
        constraints = [
            models.UniqueConstraint(
                fields=["instrument", "client_group"], name="price_unique_group"
            ),
            models.CheckConstraint(condition=Q(per_hour_fen__gte=0), name="price_nonneg"),
        ]

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        sync_external_price(self.instrument_id)

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        sync_external_price(self.instrument_id)
        return result


def sync_external_price(instrument_id: int) -> None:
    """Copy the outside-firm hourly price onto the instrument row (filtered and sorted on)."""
    price = (
        Price.objects.filter(
            instrument_id=instrument_id, client_group=Price.ClientGroup.EXTERNAL_FIRM
        )
        .values_list("per_hour_fen", flat=True)
        .first()
    )
    Instrument.objects.filter(pk=instrument_id).update(external_price_fen=price)


class Qualification(models.Model):
    """A user trained on an instrument, until ``expires_on`` unless revoked.

    Granted by e-mail to someone who is not (yet) a member of the lab or of a client firm,
    the row holds the address instead of the user (``email``, ``user`` empty) and counts for
    whoever signs in with that address: so granting never tells the manager whether an
    account exists (``facilities.trainees``)."""

    instrument = models.ForeignKey(
        Instrument, on_delete=models.CASCADE, related_name="qualifications"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="qualifications",
    )
    email = models.EmailField(_("e-mail address"), blank=True, default="")
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("qualification")
        verbose_name_plural = _("qualifications")
        indexes = [models.Index(fields=["user", "instrument"])]
        constraints = [
            models.UniqueConstraint(
                fields=["instrument", "user"],
                condition=Q(revoked_at__isnull=True),
                name="qualification_one_live",
            ),
            models.UniqueConstraint(
                fields=["instrument", "email"],
                condition=Q(revoked_at__isnull=True, user__isnull=True),
                name="qualification_one_live_by_email",
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(email=""),
                name="qualification_has_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user or self.email} · {self.instrument_id}"

    @property
    def person(self) -> str:
        """Whom it names: the user's e-mail, or the address it was granted to."""
        return self.user.email if self.user_id else self.email

    def is_valid_on(self, day) -> bool:
        return self.revoked_at is None and (self.expires_on is None or self.expires_on >= day)


class TestingService(models.Model):
    """A priced test done by the provider's staff on a firm's samples."""

    class PriceUnit(models.TextChoices):
        PER_SAMPLE = "per_sample", _("per sample")
        PER_BATCH = "per_batch", _("per batch")

    provider = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="testing_services",
        limit_choices_to={"kind": Organisation.Kind.PROVIDER},
        verbose_name=_("provider"),
    )
    name = models.CharField(_("name"), max_length=200)
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        related_name="testing_services",
        verbose_name=_("category"),
    )
    standards = models.TextField(
        _("standards"), help_text=_("One standard per line, e.g. GB/T 228.1-2021")
    )
    description = models.TextField(_("description"), blank=True)
    sample_requirements = models.TextField(_("sample requirements"), blank=True)
    price_fen = models.BigIntegerField(_("price (fen)"))
    price_unit = models.CharField(
        _("priced"), max_length=12, choices=PriceUnit.choices, default=PriceUnit.PER_SAMPLE
    )
    turnaround_days = models.PositiveSmallIntegerField(_("turnaround (working days)"), default=5)
    voucher_eligible = models.BooleanField(_("voucher eligible"), default=True)
    # Testing the law or a regulator requires (法定/强制性检测): a programme whose rules
    # exclude statutory testing refuses to pay for it, whatever voucher_eligible says.
    statutory_testing = models.BooleanField(
        _("statutory/mandatory testing"), default=False,
        help_text=_("Testing required by law or by a regulator; voucher programmes may exclude it."),
    )  # fmt: skip
    # Derived from the provider's certificate scopes (facilities.accreditation_scope) on
    # save and when a certificate changes; the catalogue filters on it.
    in_accredited_scope = models.BooleanField(
        _("within the CMA/CNAS scope"), default=False, editable=False
    )
    is_active = models.BooleanField(_("active"), default=True)
    search_text = models.TextField(blank=True, default="", editable=False)
    search_tokens = TokenField(blank=True, default="", editable=False)
    # The provider's region code (GB/T 2260), copied so the catalogue's city filter narrows
    # on this table's own index together with the category (no join to the organisation).
    # Kept in step by save() and, when a provider moves, by facilities.regions.
    region_code = models.CharField(max_length=6, blank=True, default="", editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("testing service")
        verbose_name_plural = _("testing services")
        constraints = [
            models.CheckConstraint(condition=Q(price_fen__gte=0), name="service_price_nonneg"),
        ]
        indexes = [
            models.Index(fields=["provider", "is_active"]),
            models.Index(fields=["region_code", "category"], name="service_by_region"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        category = self.category
        self.search_text, self.search_tokens = build_search(
            self.name,
            category.name_zh,
            category.name_en,
            self.provider.name,
            self.standards,
            self.description,
            self.sample_requirements,
        )
        self.region_code = self.provider.region_id or ""
        self.in_accredited_scope = bool(covering(self))
        super().save(*args, **kwargs)

    def clean(self) -> None:
        """Text lengths and ``service_price_nonneg`` in words, before the constraint speaks."""
        fields = ("standards", "description", "sample_requirements")
        errors = text_errors({name: (getattr(self, name), CATALOGUE_TEXT) for name in fields})
        if self.price_fen is not None and self.price_fen < 0:
            errors["price_fen"] = [str(_("A price cannot be negative."))]
        if errors:
            raise ValidationError(errors)

    def quote_fen(self, sample_count: int) -> int:
        if self.price_unit == self.PriceUnit.PER_BATCH:
            return self.price_fen
        return self.price_fen * sample_count


class ImportBatch(models.Model):
    """An uploaded CSV/XLSX of instruments or services, parsed and checked, waiting for
    the manager's confirmation. Nothing reaches the catalogue before ``confirmed``."""

    class Kind(models.TextChoices):
        INSTRUMENTS = "instruments", _("Instruments")
        SERVICES = "services", _("Testing services")

    class Status(models.TextChoices):
        PREVIEW = "preview", _("Waiting for confirmation")
        CONFIRMED = "confirmed", _("Saved")

    provider = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", verbose_name=_("provider")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    filename = models.CharField(_("file name"), max_length=200)
    rows = models.JSONField(default=list)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PREVIEW
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    saved_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"


class ThesaurusEntry(models.Model):
    """One concept of the catalogue's thesaurus: the canonical Chinese term and the words
    people type for it. A query word equal to the term or a synonym searches for all of
    them; a broader word (电镜 for both SEM and TEM, 热分析 for DSC and TGA) searches for
    every concept that lists it, but those concepts do not lead back to it. Read through
    ``facilities.search.thesaurus`` (cached; a save here applies at once)."""

    term = models.CharField(_("canonical term"), max_length=100, unique=True)
    synonyms = models.TextField(
        _("synonyms"), blank=True,
        help_text=_("Abbreviations, English names and short forms that mean the same, "
                    "separated by commas or new lines (e.g. SEM, 扫描电镜)."),
    )  # fmt: skip
    broader = models.TextField(
        _("broader words"), blank=True,
        help_text=_("Short words that also cover other concepts and should find this one "
                    "(e.g. 电镜), separated by commas or new lines."),
    )  # fmt: skip
    category_code = models.CharField(
        _("category code"), max_length=20, blank=True,
        help_text=_("The catalogue category suggested when a search for this finds nothing."),
    )  # fmt: skip
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["term"]
        verbose_name = _("thesaurus entry")
        verbose_name_plural = _("thesaurus")

    def __str__(self) -> str:
        return self.term


class InstrumentEnquiry(models.Model):
    """A firm's request for an instrument the catalogue does not list ("ask providers"),
    seen by the lab managers of providers with instruments in its category — by all of
    them when it names no category."""

    query = models.CharField(_("searched for"), max_length=100)
    details = models.TextField(_("what is needed"), blank=True)
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.PROTECT, related_name="enquiries",
        verbose_name=_("category"),
    )  # fmt: skip
    firm = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("firm"),
    )  # fmt: skip
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("asked by"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("asked at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("instrument enquiry")
        verbose_name_plural = _("instrument enquiries")
        indexes = [models.Index(fields=["category", "-created_at"], name="enquiry_by_category")]

    def __str__(self) -> str:
        return self.query
