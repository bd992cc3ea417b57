"""The voucher table keeps 15 % of each page free (fillfactor 85), so that a hold's, a
release's or a capture's UPDATE of a voucher finds room on the row's own page and is a HOT
update: none of the balance columns it changes is indexed, so a new row version on the same
page needs no new entry in any of the table's nine indexes. At the default fillfactor 100 a
page of bulk-issued vouchers is full, so each voucher's first movement (and every one after
it until the page has room) writes the new version to another page and one entry into each
of the nine indexes: nine more WAL records and index pages dirtied per booking with a
voucher (bench/RESULTS.md, vouchers session 12).

The setting takes a brief SHARE UPDATE EXCLUSIVE lock and rewrites nothing: it applies to
pages written from now on (new vouchers, and the pages the updates move versions to). The
pages of vouchers issued before it stay full until the table is rewritten
(``VACUUM FULL vouchers_voucher`` or pg_repack, in a maintenance window; see
docs/locking.md). PostgreSQL only: SQLite has no fillfactor."""

from django.db import migrations

FILLFACTOR = 85


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE vouchers_voucher SET (fillfactor = {FILLFACTOR})")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE vouchers_voucher RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("vouchers", "0010_hold_references_s11")]
    operations = [migrations.RunPython(forward, backward, elidable=False)]
