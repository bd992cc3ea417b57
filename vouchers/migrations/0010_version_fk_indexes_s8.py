"""The ledger's and the holds' programme-version indexes go: nothing reads an entry or a hold
by its version (reads go from the entry to its version), and versions are never deleted
(PROTECT, and a published programme only ever gains versions), so each index was only one
more write per entry and per hold on the booking path.

Only the indexes are dropped (the state says db_index=False), as in 0009: altering the
field would drop and re-add the foreign keys, re-validating 10 million ledger rows."""

import django.db.models.deletion
from django.db import migrations, models

INDEXES = [
    ("vouchers_ledgerentry", "vouchers_ledgerentry_programme_version_id_4d1bfb56"),
    ("vouchers_ordervoucherhold", "vouchers_ordervoucherhold_programme_version_id_ea8c9a5d"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("vouchers", "0009_voucher_fk_indexes_s7"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="ledgerentry",
                    name="programme_version",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="vouchers.programmeversion",
                    ),
                ),
                migrations.AlterField(
                    model_name="ordervoucherhold",
                    name="programme_version",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="vouchers.programmeversion",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f"DROP INDEX IF EXISTS {name}",
                    reverse_sql=f"CREATE INDEX {name} ON {table} (programme_version_id)",
                )
                for table, name in INDEXES
            ],
        ),
    ]
