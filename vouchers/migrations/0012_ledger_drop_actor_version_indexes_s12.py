"""The ledger's actor and rules-version indexes go: no page, API, export, claim or audit
reads the ledger by its actor or its version (they read it by voucher, by order, or by
kind and date), and each was one more index write per ledger entry, i.e. per hold,
capture and release on the booking path. Both foreign keys stay, and so does PROTECT: what
the indexes served was only the lookup for a user's or a version's delete, which now scans
the ledger (models.ledger.LedgerEntry says so).

Only the indexes are dropped (the state says db_index=False), as in 0009: letting Django
alter the fields would drop and re-add the foreign keys, re-validating every ledger row
under an exclusive lock. Dropping an index takes a brief exclusive lock; the reverse
builds it again (some seconds per 10 million entries, writes blocked meanwhile)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

TABLE = "vouchers_ledgerentry"
INDEXES = [
    ("vouchers_ledgerentry_actor_id_75bb1b48", "actor_id"),
    ("vouchers_ledgerentry_programme_version_id_4d1bfb56", "programme_version_id"),
]


class Migration(migrations.Migration):
    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("vouchers", "0011_voucher_fillfactor_s12"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="ledgerentry",
                    name="actor",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
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
            ],
            database_operations=[
                migrations.RunSQL(
                    f"DROP INDEX IF EXISTS {name}",
                    reverse_sql=f"CREATE INDEX {name} ON {TABLE} ({column})",
                )
                for name, column in INDEXES
            ],
        ),
    ]
