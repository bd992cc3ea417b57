"""Length limits of free text, checked where it is written (services and model clean), so a
form, the API, an import and the admin all refuse a 100,000-character sample description.
The columns are TEXT; the limits are the product's, not the database's."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from config.errors import Invalid

SHORT_TEXT = 2000  # a reason, a note, a booking's purpose, standards wanted
LONG_TEXT = 4000  # a sample description
CATALOGUE_TEXT = 10000  # an instrument's specifications, a service's description


def text_errors(limits: dict[str, tuple[str | None, int]]) -> dict[str, list[str]]:
    """{field: [message]} for each ``field: (value, limit)`` whose value is too long."""
    return {
        name: [
            str(
                _("At most %(n)s characters, please (this has %(length)s).")
                % {"n": limit, "length": len(value)}
            )
        ]
        for name, (value, limit) in limits.items()
        if value and len(value) > limit
    }


def check_text(**limits: tuple[str | None, int]) -> None:
    """Raise Invalid ``text_too_long`` naming each field over its limit."""
    errors = text_errors(limits)
    if errors:
        raise Invalid(next(iter(errors.values()))[0], code="text_too_long", fields=errors)
