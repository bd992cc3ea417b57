"""A hold's voucher and rules version lose their own foreign-key constraints (and the version
its index): the statement that writes a hold copies both from the 'hold' ledger entry it
inserts, whose foreign keys are checked, and that append-only entry keeps the voucher and
the version from deletion. Two RI checks and one index write fewer per booking with a
voucher (models.ledger.OrderVoucherHold). Dropping a constraint or an index takes a brief
lock and re-validates nothing."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("vouchers", "0009_voucher_fk_indexes_s7"),
    ]

    operations = [
        migrations.AlterField(
            model_name="ordervoucherhold",
            name="programme_version",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="vouchers.programmeversion",
            ),
        ),
        migrations.AlterField(
            model_name="ordervoucherhold",
            name="voucher",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="holds",
                to="vouchers.voucher",
            ),
        ),
    ]
