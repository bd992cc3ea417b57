"""On PostgreSQL nothing may UPDATE or DELETE a ledger row: corrections are new entries.
SQLite (the embedded default) has no such trigger; the services never update entries."""

from django.db import migrations

TABLE = "vouchers_ledgerentry"

FORWARD = f"""
CREATE OR REPLACE FUNCTION vouchers_ledger_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'vouchers ledger entries are append-only (% refused)', TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER vouchers_ledger_append_only
    BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION vouchers_ledger_append_only();
"""

BACKWARD = f"""
DROP TRIGGER IF EXISTS vouchers_ledger_append_only ON {TABLE};
DROP FUNCTION IF EXISTS vouchers_ledger_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("vouchers", "0001_initial")]
    operations = [migrations.RunPython(forward, backward, elidable=False)]
