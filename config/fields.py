"""API input fields stricter than DRF's where DRF's leniency reaches the database.

DRF's IntegerField takes "1.0", full-width "１２" (``int()`` reads any Unicode digit) and
any size, so 2**63 passed validation and failed in PostgreSQL's bigint as a 500. Here an
integer is ASCII digits (or a JSON integer), within a bigint unless bounded tighter.
"""

from __future__ import annotations

import re

from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from config.bounds import BoundedDateField, BoundedDateTimeField

BIGINT_MAX = 2**63 - 1
_ASCII_INT = re.compile(r"^[+-]?[0-9]+$")


class StrictIntegerField(serializers.IntegerField):
    default_error_messages = {
        "invalid": _("A whole number is required (digits 0-9 only)."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_value", BIGINT_MAX)
        kwargs.setdefault("min_value", -BIGINT_MAX)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool | float):
            self.fail("invalid")
        if isinstance(data, str):
            if len(data) > 25 or not _ASCII_INT.match(data.strip()):
                self.fail("invalid")
        elif not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class IdField(StrictIntegerField):
    """An object's id in a request body: a positive bigint."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        super().__init__(**kwargs)


class StrictModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer whose generated fields take input as strictly as the declared
    ones: integers as StrictIntegerField (ASCII digits, within the column), dates and
    datetimes within config.bounds' range, datetimes with their offset."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.IntegerField: StrictIntegerField,
        models.BigIntegerField: StrictIntegerField,
        models.SmallIntegerField: StrictIntegerField,
        models.PositiveIntegerField: StrictIntegerField,
        models.PositiveBigIntegerField: StrictIntegerField,
        models.PositiveSmallIntegerField: StrictIntegerField,
        models.DateTimeField: BoundedDateTimeField,
        models.DateField: BoundedDateField,
    }
