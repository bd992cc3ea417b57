"""A voucher programme: who issues, how much, and its rules as data (vouchers/rules.py)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Programme(models.Model):
    """Rules live in ``rules`` (validated by ``vouchers.rules.rules_parse``). Once published,
    a change of rules writes a new ``ProgrammeVersion``; holds keep the version that priced
    them, so an order never changes price under its feet."""

    class Kind(models.TextChoices):
        INNOVATION = "innovation", _("Innovation voucher")
        SERVICE = "service", _("Service voucher")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        PAUSED = "paused", _("Paused")
        CLOSED = "closed", _("Closed")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    issuer = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="voucher_programmes",
        limit_choices_to={"kind": "department"},
        verbose_name=_("issuing department"),
    )
    region = models.ForeignKey(
        "accounts.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"))
    applications_open_on = models.DateField(_("applications open on"), null=True, blank=True)
    applications_close_on = models.DateField(_("applications close on"), null=True, blank=True)
    budget_fen = models.BigIntegerField(_("budget (fen)"))
    issued_fen = models.BigIntegerField(_("issued (fen)"), default=0)
    rules = models.JSONField(_("rules"), default=dict)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    version = models.PositiveIntegerField(_("version"), default=0)
    # The version holds are priced under now (None while a draft): read with the programme
    # on the hold path, so pricing an order costs no extra query.
    current_version = models.ForeignKey(
        "vouchers.ProgrammeVersion", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    # Red-flag thresholds for the reviewers of its claims (vouchers/flags.py). Review
    # settings, not pricing rules: a change applies when flags are next computed and makes
    # no new rules version.
    flag_near_cap_pct = models.PositiveSmallIntegerField(
        _("“just under the cap” from (percent of the per-order cap)"), default=90
    )
    flag_many_orders = models.PositiveIntegerField(
        _("“many orders” from (orders between one firm and one provider in a claim)"),
        default=10,
    )
    flag_short_session_pct = models.PositiveSmallIntegerField(
        _("“much shorter than booked” below (percent of the booked time)"), default=50
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        ordering = ["-valid_from", "pk"]
        verbose_name = _("voucher programme")
        verbose_name_plural = _("voucher programmes")
        constraints = [
            models.CheckConstraint(condition=Q(budget_fen__gte=0), name="programme_budget_nonneg"),
            models.CheckConstraint(condition=Q(issued_fen__gte=0), name="programme_issued_nonneg"),
            models.CheckConstraint(
                condition=Q(issued_fen__lte=F("budget_fen")), name="programme_within_budget"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__gte=F("valid_from")), name="programme_valid_window"
            ),
            models.CheckConstraint(
                condition=Q(flag_near_cap_pct__gte=50, flag_near_cap_pct__lte=99)
                & Q(flag_many_orders__gte=2, flag_many_orders__lte=10_000)
                & Q(flag_short_session_pct__gte=1, flag_short_session_pct__lte=99),
                name="programme_flag_thresholds_claims_s6",
            ),
        ]
        indexes = [models.Index(fields=["issuer", "status"])]

    def __str__(self) -> str:
        return self.name

    @property
    def left_fen(self) -> int:
        return self.budget_fen - self.issued_fen


class ProgrammeVersion(models.Model):
    """The rules of a published programme as they were from ``created_at`` on."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    rules = models.JSONField(_("rules"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    note = models.TextField(_("what changed"), blank=True)

    class Meta:
        ordering = ["programme", "number"]
        verbose_name = _("programme version")
        verbose_name_plural = _("programme versions")
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="programme_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.programme} v{self.number}"


class ProgrammeChange(models.Model):
    """Who moved a programme from one status to another, when and why. Append-only."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="history")
    from_status = models.CharField(_("from"), max_length=10, blank=True)
    to_status = models.CharField(_("to"), max_length=10)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"), blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("programme status change")
        verbose_name_plural = _("programme status changes")
