"""The vouchers' own single-column indexes on the ledger and the holds go: the composite
(voucher, at), (voucher, state) and ledger_once_per_order indexes lead with the voucher and
serve every lookup by it, and each was one more index write per entry on the booking path.

Only the indexes are dropped (the state says db_index=False): letting Django alter the
field would drop and re-add the foreign keys, re-validating 10 million ledger rows under an
exclusive lock."""

import django.db.models.deletion
from django.db import migrations, models

INDEXES = [
    ("vouchers_ledgerentry", "vouchers_ledgerentry_voucher_id_26055239"),
    ("vouchers_ordervoucherhold", "vouchers_ordervoucherhold_voucher_id_24af2c13"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("vouchers", "0008_claimline_issuer_flag_settings_claims_s6"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="ledgerentry",
                    name="voucher",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="ledger",
                        to="vouchers.voucher",
                    ),
                ),
                migrations.AlterField(
                    model_name="ordervoucherhold",
                    name="voucher",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="holds",
                        to="vouchers.voucher",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f"DROP INDEX IF EXISTS {name}",
                    reverse_sql=f"CREATE INDEX {name} ON {table} (voucher_id)",
                )
                for table, name in INDEXES
            ],
        ),
    ]
