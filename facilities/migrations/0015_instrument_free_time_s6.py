# Free bookable minutes in the next 7 days, precomputed for the search ranking's "has free
# time soon" (facilities.services.free_time, filled by the beat task; NULL until then).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("facilities", "0014_instrument_name_en_s6"),
    ]

    operations = [
        migrations.AddField(
            model_name="instrument",
            name="free_minutes_7d",
            field=models.PositiveIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="instrument",
            name="free_checked_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name="instrument",
            index=models.Index(fields=["free_checked_at"], name="instrument_by_free_checked"),
        ),
    ]
