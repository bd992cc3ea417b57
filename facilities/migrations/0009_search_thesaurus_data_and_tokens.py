"""The shipped thesaurus (facilities/data/thesaurus.toml) as rows, and every item's search
columns rebuilt: text now folds full-width forms (NFKC), and Latin compounds add their
parts (``icp-ms`` → ``icp``, ``ms``, ``icpms``)."""

from django.db import migrations

from facilities.search.text import normalise, tokens_of
from facilities.search.thesaurus import file_entries


def load_thesaurus(apps, schema_editor):
    entry = apps.get_model("facilities", "ThesaurusEntry")
    have = set(entry.objects.values_list("term", flat=True))
    entry.objects.bulk_create(entry(**row) for row in file_entries() if row["term"] not in have)


def rebuild_tokens(apps, schema_editor):
    for name in ("Instrument", "TestingService"):
        model = apps.get_model("facilities", name)
        batch = []
        for row in model.objects.only("pk", "search_text").iterator(chunk_size=2000):
            row.search_text = normalise(row.search_text)
            row.search_tokens = " ".join(tokens_of(row.search_text))
            batch.append(row)
            if len(batch) == 2000:
                model.objects.bulk_update(batch, ["search_text", "search_tokens"])
                batch = []
        model.objects.bulk_update(batch, ["search_text", "search_tokens"])


class Migration(migrations.Migration):
    dependencies = [("facilities", "0008_search_thesaurus")]

    operations = [
        migrations.RunPython(load_thesaurus, migrations.RunPython.noop),
        migrations.RunPython(rebuild_tokens, migrations.RunPython.noop),
    ]
