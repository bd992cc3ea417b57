"""Bulk import (preview, then confirm) and export of instruments and testing services."""

from facilities.imports.exports import CONTENT_TYPES, category_rows, dataset, render, template_book
from facilities.imports.services import import_confirm, import_preview

__all__ = [
    "CONTENT_TYPES",
    "category_rows",
    "dataset",
    "import_confirm",
    "import_preview",
    "render",
    "template_book",
]
