"""Invoice and payment-proof files: the report rules of booking/reports.py (type by magic
bytes, a size cap, stored under a random name, served only through checked views)."""

from __future__ import annotations

import os

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from booking.reports import discard, storage, store  # noqa: F401  (re-exported for views)
from config.errors import Invalid

CLAIM_FILE_MAX_BYTES = 10 * 1024 * 1024
# What a file's first bytes must be for each accepted extension.
MAGIC = {
    ".pdf": (b"%PDF-",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
}
CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}


def validate_claim_file(upload: UploadedFile | None, *, field: str) -> UploadedFile:
    """Raise Invalid unless ``upload`` is a PDF, PNG or JPEG, by its content, of at most
    CLAIM_FILE_MAX_BYTES. Reads only the first bytes."""
    if upload is None:
        raise Invalid(_("Choose a file to upload."), code="file_missing",
                      fields={field: [str(_("This file is required."))]})  # fmt: skip
    if upload.size > CLAIM_FILE_MAX_BYTES:
        message = _("The file is too large: at most %(mb)d MB.") % {
            "mb": CLAIM_FILE_MAX_BYTES // (1024 * 1024)
        }
        raise Invalid(message, code="file_too_large", fields={field: [str(message)]})
    extension = os.path.splitext(upload.name or "")[1].lower()
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if extension not in MAGIC or not head.startswith(MAGIC[extension]):
        message = _("Upload a PDF, PNG or JPEG file (its content must really be one).")
        raise Invalid(message, code="file_type", fields={field: [str(message)]})
    return upload


def content_type_of(name: str) -> str:
    return CONTENT_TYPES.get(os.path.splitext(name)[1].lower(), "application/octet-stream")
