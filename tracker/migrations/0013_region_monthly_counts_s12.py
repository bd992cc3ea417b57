"""A covering index for target progress on PostgreSQL (tracker.models.RegionMonthlyUsage)."""

from django.db import migrations

_CREATE = (
    "CREATE INDEX IF NOT EXISTS region_monthly_counts"
    " ON tracker_regionmonthlyusage (kind, month, county) INCLUDE (count)"
)
_DROP = "DROP INDEX IF EXISTS region_monthly_counts"


def _on_postgresql(sql: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("tracker", "0012_firms_served_year_s12")]

    operations = [migrations.RunPython(_on_postgresql(_CREATE), _on_postgresql(_DROP))]
