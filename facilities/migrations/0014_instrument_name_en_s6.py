# The instrument's English name, searchable and shown on the English pages (issue 15).
# Existing rows have none, so their search columns stay as they are.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("facilities", "0013_merge_20261202_1057"),
    ]

    operations = [
        migrations.AddField(
            model_name="instrument",
            name="name_en",
            field=models.CharField(blank=True, max_length=200, verbose_name="English name"),
        ),
    ]
