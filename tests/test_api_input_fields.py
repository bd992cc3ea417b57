"""Every integer, date and datetime the API takes is read by the strict fields of
config.fields and config.bounds (ASCII digits within the column; dates within the sane
range; datetimes with an offset), declared or generated, in every serializer we have."""

from __future__ import annotations

import importlib

import pytest
from django.conf import settings
from rest_framework import serializers

from config.bounds import BoundedDateField, BoundedDateTimeField
from config.fields import StrictIntegerField

LENIENT = {
    serializers.IntegerField: StrictIntegerField,
    serializers.DateTimeField: BoundedDateTimeField,
    serializers.DateField: BoundedDateField,
}
OUR_APPS = (
    "accounts",
    "facilities",
    "booking",
    "vouchers",
    "tracker",
    "statements",
    "frontend",
    "config",
)


def _all_subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_subclasses(sub)


def _our_serializers():
    importlib.import_module(settings.ROOT_URLCONF)  # every API module, so every serializer
    seen = set()
    for cls in _all_subclasses(serializers.Serializer):
        abstract = isinstance(cls, serializers.SerializerMetaclass) and (
            issubclass(cls, serializers.ModelSerializer) and not hasattr(cls, "Meta")
        )
        if cls.__module__.split(".")[0] in OUR_APPS and cls not in seen and not abstract:
            seen.add(cls)
            yield cls


def _lenient_fields(serializer, path=""):
    for name, field in serializer.fields.items():
        where = f"{path}{name}"
        if field.read_only:
            continue
        if isinstance(field, serializers.ListField | serializers.ListSerializer):
            field = field.child
        if isinstance(field, serializers.Serializer):
            yield from _lenient_fields(field, f"{where}.")
            continue
        for lenient, strict in LENIENT.items():
            if isinstance(field, lenient) and not isinstance(field, strict):
                yield f"{where}: {type(field).__name__} (use {strict.__name__})"


@pytest.mark.django_db
def test_no_serializer_takes_a_lenient_integer_date_or_datetime():
    offenders = []
    checked = 0
    for cls in _our_serializers():
        try:
            serializer = cls()
            fields = list(_lenient_fields(serializer))
        except Exception as exc:  # noqa: BLE001 (a serializer that needs context to build)
            pytest.fail(f"{cls.__module__}.{cls.__qualname__} cannot be built: {exc!r}")
        checked += 1
        offenders += [f"{cls.__module__}.{cls.__qualname__}.{f}" for f in fields]
    assert checked > 40
    assert not offenders, "\n".join(offenders)
