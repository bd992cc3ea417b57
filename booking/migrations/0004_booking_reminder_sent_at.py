from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("booking", "0003_sr_samples_received_at")]

    operations = [
        migrations.AddField(
            model_name="booking",
            name="reminder_sent_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="reminder sent at"),
        ),
    ]
