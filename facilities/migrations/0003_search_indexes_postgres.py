"""PostgreSQL-only search indexes (SQLite development falls back to plain scans).

- pg_trgm GIN on ``search_text``: substring search (``LIKE '%term%'``) for 3+ characters.
- GIN on ``string_to_array(search_tokens, ' ')``: CJK unigram/bigram containment, so that
  two-character Chinese words like 光谱 are index-backed too (trigrams cannot serve them).
"""

from django.db import migrations

TABLES = ("facilities_instrument", "facilities_testingservice")


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for table in TABLES:
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {table}_search_trgm "
                f"ON {table} USING gin (search_text gin_trgm_ops)"
            )
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {table}_search_tokens "
                f"ON {table} USING gin (string_to_array(search_tokens, ' '))"
            )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"DROP INDEX IF EXISTS {table}_search_trgm")
            cursor.execute(f"DROP INDEX IF EXISTS {table}_search_tokens")


class Migration(migrations.Migration):
    dependencies = [("facilities", "0002_search_columns_and_constraints")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
