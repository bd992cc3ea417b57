from __future__ import annotations

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from booking.demo.service_requests import render_pdf
from booking.models import ServiceRequest
from booking.transitions import record_creation
from tests.factories.accounts import FirmProfileFactory, UserFactory
from tests.factories.facilities import TestingServiceFactory


class ServiceRequestFactory(factory.django.DjangoModelFactory):
    """A submitted request for 3 samples, with its first StateChange."""

    class Meta:
        model = ServiceRequest
        skip_postgeneration_save = True

    service = factory.SubFactory(TestingServiceFactory)
    firm = factory.LazyFunction(lambda: FirmProfileFactory().organisation)
    requested_by = factory.SubFactory(UserFactory)
    sample_count = 3
    sample_description = "Q235 钢板试样 3 件，200 × 20 × 5 mm"
    standards = "GB/T 228.1-2021"
    quote_fen = factory.LazyAttribute(lambda o: o.service.quote_fen(o.sample_count))

    @factory.post_generation
    def history(self, create, extracted, **kwargs):
        if create:
            with transaction.atomic():  # as service_request_create does: its event too
                record_creation(self, actor=self.requested_by)


def pdf_upload(
    name: str = "report.pdf", content: bytes | None = None, content_type="application/pdf"
):
    return SimpleUploadedFile(name, content or render_pdf(["Test report", "No. R-1"]), content_type)
