"""The OpenAPI schema says what the API really answers, errors included.

Every operation may answer the error body of config/api_errors.py (docs/errors.md):
``{code, detail, fields}``, with ``data`` for some domain errors. The schema class adds
those responses to every operation that does not declare them itself, so a client (and
schemathesis' response-schema check in tests/test_api_fuzz.py) knows them all.
"""

from __future__ import annotations

from drf_spectacular import openapi
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

# Statuses any operation may answer, and those only a request with a body may.
_ANY = ("400", "401", "403", "404", "406", "429", "503")
_WITH_BODY = ("409", "413", "415")
_FIELD_ERRORS = {
    "type": "object",
    "description": "Per-field errors: a message, or a code with its message.",
    "additionalProperties": {
        "type": "array",
        "items": {
            "oneOf": [
                {"type": "string"},
                {
                    "type": "object",
                    "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
                    "required": ["code", "message"],
                },
            ]
        },
    },
}


@extend_schema_field(_FIELD_ERRORS)
class FieldErrorsField(serializers.DictField):
    pass


class ErrorSerializer(serializers.Serializer):
    """Every error: a stable code, a translated message and per-field errors."""

    code = serializers.CharField()
    detail = serializers.CharField()
    fields = FieldErrorsField()
    data = serializers.JSONField(required=False, help_text="Some errors' facts (a conflict's).")


# A wall-clock time (opening hours) carries no offset, and JSON Schema's "time" format
# demands one: declare the shape DRF's TimeField really sends.
_WALL_CLOCK_TIME = {"type": "string", "pattern": r"^\d{2}:\d{2}(:\d{2}(\.\d+)?)?$",
                    "example": "08:30:00"}  # fmt: skip


# An operation with an ``export`` query parameter answers, for each of its formats, the
# same table as a file: its 200 says so beside the JSON (schemathesis' ST105 found
# text/csv undocumented on the tracker's exports).
_EXPORT_MEDIA_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_FILE = {"schema": {"type": "string", "format": "binary"}}


def _document_exports(operation: dict) -> dict:
    formats = [
        value
        for parameter in operation.get("parameters", [])
        if parameter.get("in") == "query" and parameter.get("name") == "export"
        for value in parameter.get("schema", {}).get("enum", [])
    ]
    content = operation.get("responses", {}).get("200", {}).get("content")
    if formats and content is not None:
        for fmt in formats:
            content.setdefault(_EXPORT_MEDIA_TYPES.get(fmt, "application/octet-stream"), _FILE)
    return operation


_BLANKABLE_FORMATS = {"email", "uri"}
_FORMAT_KEYS = {"type", "format", "maxLength", "minLength", "pattern"}


class AutoSchema(openapi.AutoSchema):
    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        return operation if operation is None else _document_exports(operation)

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if schema.get("format") == "time":
            schema = {**{k: v for k, v in schema.items() if k != "format"}, **_WALL_CLOCK_TIME}
        elif schema.get("format") in _BLANKABLE_FORMATS and (
            getattr(field, "allow_blank", False) or field.read_only
        ):
            # A blank e-mail or address (a model's blank=True; a read-only field says nothing
            # of it, so it is assumed) is sent as "", which no
            # "email"/"uri" format accepts: say that either one is sent.
            blank = {"type": "string", "maxLength": 0}
            schema = {"anyOf": [{k: v for k, v in schema.items() if k in _FORMAT_KEYS}, blank],
                      **{k: v for k, v in schema.items() if k not in _FORMAT_KEYS}}  # fmt: skip
        return schema

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        codes = _ANY + (_WITH_BODY if self.method in ("POST", "PUT", "PATCH") else ())
        for code in codes:
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    ErrorSerializer, code, ["application/json"], direction
                )
        return responses
