"""The one hierarchy of domain errors.

Services raise these; the DRF handler (config.api_errors) maps ``kind`` to an
HTTP status and pages show ``message``. ``code`` is stable and machine-readable.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    kind = "invalid"
    default_code = "invalid"
    default_message = _("The request is not valid.")

    def __init__(
        self,
        message: Any = None,
        *,
        code: str | None = None,
        fields: dict[str, list[str]] | None = None,
        data: dict[str, Any] | None = None,
    ) -> None:
        self.message = message if message is not None else self.default_message
        self.code = code or self.default_code
        self.fields = fields or {}
        self.data = data or {}
        super().__init__(str(self.message))


class Invalid(DomainError):
    """Input breaks a rule: HTTP 400."""


class Conflict(DomainError):
    """The state of the world refuses the change (slot taken, state moved): HTTP 409."""

    kind = "conflict"
    default_code = "conflict"
    default_message = _("The request conflicts with the current state.")


class NotFound(DomainError):
    """Missing, or not visible to the actor: HTTP 404."""

    kind = "not_found"
    default_code = "not_found"
    default_message = _("Not found.")


class Forbidden(DomainError):
    """Visible to the actor but not theirs to change: HTTP 403."""

    kind = "forbidden"
    default_code = "forbidden"
    default_message = _("You do not have permission to do this.")


class InvalidTransition(Conflict):
    default_code = "invalid_transition"
    default_message = _("This change is not allowed in the current state.")
