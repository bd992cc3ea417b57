"""Invariant 1: two live bookings of one instrument never overlap.

PostgreSQL enforces it with an exclusion constraint; SQLite cannot express one,
so there the booking service serialises writers instead (IMMEDIATE transactions).
"""

from django.db import migrations

CONSTRAINT = """
ALTER TABLE booking_booking ADD CONSTRAINT booking_no_overlap
EXCLUDE USING gist (
    instrument_id WITH =,
    tstzrange(start_at, end_at, '[)') WITH &&
) WHERE (status IN ('requested', 'approved', 'checked_in'))
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    schema_editor.execute(CONSTRAINT)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE booking_booking DROP CONSTRAINT IF EXISTS booking_no_overlap")


class Migration(migrations.Migration):
    dependencies = [("booking", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
