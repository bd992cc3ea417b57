"""Related parties a firm or provider declares (legal representative, shareholders,
actual controller): a voucher may not pay a provider related to the firm."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RelatedParty(models.Model):
    class Role(models.TextChoices):
        LEGAL_REP = "legal_rep", _("Legal representative")
        SHAREHOLDER = "shareholder", _("Shareholder")
        ACTUAL_CONTROLLER = "actual_controller", _("Actual controller")

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="related_parties"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    name = models.CharField(_("name"), max_length=200)
    # A person's identity number or an entity's USCC, upper-cased: what two declarations
    # share when they name the same party.
    identifier = models.CharField(_("identity number or credit code"), max_length=30)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    declared_at = models.DateTimeField(_("declared at"), default=timezone.now)

    class Meta:
        ordering = ["organisation", "role", "name"]
        verbose_name = _("related party")
        verbose_name_plural = _("related parties")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "role", "identifier"], name="related_party_unique"
            )
        ]
        indexes = [models.Index(fields=["identifier", "role"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"
