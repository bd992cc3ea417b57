"""Report and attachment files: check them, store them through Django's storage API.

Files never get a public URL: they are stored under random names in the default
storage (local disk, or S3-compatible storage when configured) and served only by
views that check the reader may see the order. Validation happens before
anything is written, so a refused upload leaves no trace.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable

from django.core.files.storage import Storage, default_storage
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.errors import Invalid

REPORT_MAX_BYTES = 20 * 1024 * 1024
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENT_MAX_COUNT = 5
PDF_MAGIC = b"%PDF-"
PDF_CONTENT_TYPES = {"application/pdf", "application/x-pdf"}
ATTACHMENT_EXTENSIONS = {
    ".pdf",
    ".jpg",
    ".jpeg",
    ".png",
    ".doc",
    ".docx",
    ".xls",
    ".xlsx",
    ".txt",
    ".csv",
}


def storage() -> Storage:
    return default_storage


def _megabytes(n: int) -> int:
    return n // (1024 * 1024)


def validate_report_pdf(upload: UploadedFile | None, *, field: str = "report_file") -> None:
    """Raise Invalid unless ``upload`` is a PDF (extension, content type, magic bytes)
    of at most REPORT_MAX_BYTES. Reads only the first bytes."""
    if upload is None:
        raise Invalid(
            _("Choose the signed report (PDF) to upload."),
            code="report_missing",
            fields={field: [str(_("This file is required."))]},
        )
    if upload.size > REPORT_MAX_BYTES:
        raise Invalid(
            _("The report is too large: at most %(mb)d MB.") % {"mb": _megabytes(REPORT_MAX_BYTES)},
            code="report_too_large",
            fields={field: [str(_("File too large."))]},
        )
    extension = os.path.splitext(upload.name or "")[1].lower()
    content_type = (getattr(upload, "content_type", "") or "").split(";")[0].strip().lower()
    if extension != ".pdf" or content_type not in PDF_CONTENT_TYPES | {""}:
        raise Invalid(
            _("The report must be a PDF file."),
            code="report_not_pdf",
            fields={field: [str(_("Only PDF files are accepted."))]},
        )
    upload.seek(0)
    head = upload.read(len(PDF_MAGIC))
    upload.seek(0)
    if head != PDF_MAGIC:
        raise Invalid(
            _("This file is not a real PDF (its content does not start like a PDF)."),
            code="report_not_pdf",
            fields={field: [str(_("The file content is not PDF."))]},
        )


def validate_attachments(uploads: Iterable[UploadedFile]) -> list[UploadedFile]:
    """Raise Invalid unless every attachment has an allowed type and size."""
    files = list(uploads)
    if len(files) > ATTACHMENT_MAX_COUNT:
        raise Invalid(
            _("At most %(n)d attachments.") % {"n": ATTACHMENT_MAX_COUNT},
            code="too_many_attachments",
            fields={"attachments": [str(_("Too many files."))]},
        )
    for upload in files:
        extension = os.path.splitext(upload.name or "")[1].lower()
        if extension not in ATTACHMENT_EXTENSIONS:
            raise Invalid(
                _("“%(name)s” is not an accepted file type.") % {"name": upload.name},
                code="attachment_type",
                fields={"attachments": [str(_("Accepted: PDF, images, Office documents, text."))]},
            )
        if upload.size > ATTACHMENT_MAX_BYTES:
            raise Invalid(
                _("“%(name)s” is too large: at most %(mb)d MB.")
                % {"name": upload.name, "mb": _megabytes(ATTACHMENT_MAX_BYTES)},
                code="attachment_too_large",
                fields={"attachments": [str(_("File too large."))]},
            )
    return files


def store(upload: UploadedFile, *, folder: str) -> str:
    """Save ``upload`` under a random, unguessable name; return the storage name."""
    extension = os.path.splitext(upload.name or "")[1].lower()
    now = timezone.now()
    name = f"{folder}/{now:%Y/%m}/{uuid.uuid4().hex}{extension}"
    upload.seek(0)
    return storage().save(name, upload)


def discard(names: Iterable[str]) -> None:
    """Delete stored files whose order change did not happen (no orphans)."""
    for name in names:
        if name:
            storage().delete(name)
