"""Instruments and testing services carry their provider's region code.

The catalogue's city filter then narrows on the item table's own (region_code, category)
index instead of joining every text match to its organisation. The backfill is one
set-based UPDATE per table (a correlated subquery, valid on SQLite and PostgreSQL), run
before the indexes are built.
"""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def backfill(apps, schema_editor):
    organisation = apps.get_model("accounts", "Organisation")
    region = organisation.objects.filter(pk=OuterRef("provider_id")).values("region_id")[:1]
    for name in ("Instrument", "TestingService"):
        apps.get_model("facilities", name).objects.update(region_code=Subquery(region))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_reference_data"),
        ("facilities", "0006_search_tokens_array"),
    ]

    operations = [
        migrations.AddField(
            model_name="instrument",
            name="region_code",
            field=models.CharField(blank=True, default="", editable=False, max_length=6),
        ),
        migrations.AddField(
            model_name="testingservice",
            name="region_code",
            field=models.CharField(blank=True, default="", editable=False, max_length=6),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=False),
        migrations.AddIndex(
            model_name="instrument",
            index=models.Index(fields=["region_code", "category"], name="instrument_by_region"),
        ),
        migrations.AddIndex(
            model_name="testingservice",
            index=models.Index(fields=["region_code", "category"], name="service_by_region"),
        ),
    ]
