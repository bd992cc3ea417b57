"""Search tokens become a real ``text[]`` on PostgreSQL.

Splitting a string per row (``string_to_array``) made every non-index plan slow; a
native array column is cheap to test row by row and has planner statistics. The
functional index of 0003 goes; a GIN index on the column replaces it. Tokens are
rebuilt from ``search_text``.
"""

from django.db import migrations

import facilities.search

TABLES = ("facilities_instrument", "facilities_testingservice")


def drop_old_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"DROP INDEX IF EXISTS {table}_search_tokens")


def create_index_and_fill(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            for table in TABLES:
                cursor.execute(
                    f"CREATE INDEX IF NOT EXISTS {table}_tokens_gin ON {table} USING gin (search_tokens)"
                )
    for name in ("Instrument", "TestingService"):
        model = apps.get_model("facilities", name)
        batch = []
        for row in model.objects.only("pk", "search_text").iterator(chunk_size=2000):
            row.search_tokens = " ".join(facilities.search.tokens_of(row.search_text))
            batch.append(row)
            if len(batch) == 2000:
                model.objects.bulk_update(batch, ["search_tokens"])
                batch = []
        model.objects.bulk_update(batch, ["search_tokens"])


def drop_new_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"DROP INDEX IF EXISTS {table}_tokens_gin")


class Migration(migrations.Migration):
    dependencies = [("facilities", "0005_catalogue_sort_indexes")]

    operations = [
        migrations.RunPython(drop_old_indexes, migrations.RunPython.noop, elidable=False),
        migrations.RemoveField(model_name="instrument", name="search_tokens"),
        migrations.RemoveField(model_name="testingservice", name="search_tokens"),
        migrations.AddField(
            model_name="instrument",
            name="search_tokens",
            field=facilities.search.TokenField(blank=True, default="", editable=False),
        ),
        migrations.AddField(
            model_name="testingservice",
            name="search_tokens",
            field=facilities.search.TokenField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(create_index_and_fill, drop_new_index, elidable=False),
    ]
