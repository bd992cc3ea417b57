from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from facilities.models import TestingService


class ServiceRequest(models.Model):
    """A batch of a firm's samples sent for one testing service."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")
        SAMPLES_RECEIVED = "samples_received", _("Samples received")
        TESTING = "testing", _("Testing")
        REPORTED = "reported", _("Reported")
        COMPLETED = "completed", _("Completed")

    class Delivery(models.TextChoices):
        DROP_OFF = "drop_off", _("Drop-off at the lab")
        COURIER = "courier", _("Courier")

    service = models.ForeignKey(
        TestingService,
        on_delete=models.PROTECT,
        related_name="requests",
        verbose_name=_("testing service"),
    )
    firm = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="service_requests",
        verbose_name=_("firm"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="service_requests",
        verbose_name=_("requested by"),
    )
    sample_count = models.PositiveIntegerField(_("number of samples"))
    sample_description = models.TextField(_("sample description"))
    standards = models.TextField(_("standards wanted"), blank=True)
    delivery = models.CharField(
        _("delivery"), max_length=10, choices=Delivery.choices, default=Delivery.DROP_OFF
    )
    tracking_number = models.CharField(_("tracking number"), max_length=60, blank=True)
    desired_date = models.DateField(_("desired date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED
    )
    quote_fen = models.BigIntegerField(_("quote (fen)"), default=0)
    fee_fen = models.BigIntegerField(_("fee (fen)"), null=True, blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    # Counted through a year whose holiday schedule was not announced yet (working_days).
    due_on_provisional = models.BooleanField(_("due date provisional"), default=False)
    sample_condition = models.TextField(_("sample condition notes"), blank=True)
    # When the lab had the samples: the turnaround clock runs from here.
    samples_received_at = models.DateTimeField(_("samples received at"), null=True, blank=True)
    report_file = models.FileField(_("report"), upload_to="reports/%Y/%m/", blank=True)
    report_number = models.CharField(_("report number"), max_length=60, blank=True)
    report_accreditation = models.CharField(_("accreditation mark"), max_length=20, blank=True)
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("service request")
        verbose_name_plural = _("service requests")
        indexes = [
            models.Index(fields=["firm", "-created_at"]),
            models.Index(fields=["service", "status"]),
            models.Index(fields=["status", "due_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(sample_count__gte=1), name="request_samples_positive"
            ),
            models.CheckConstraint(condition=Q(quote_fen__gte=0), name="request_quote_nonneg"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.service}"


class ServiceRequestAttachment(models.Model):
    request = models.ForeignKey(
        ServiceRequest, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to="request-attachments/%Y/%m/")
    name = models.CharField(_("name"), max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
