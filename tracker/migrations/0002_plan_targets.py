"""The plan's two targets (浙江省小微企业三年成长计划 2018–2020), province-wide."""

import datetime as dt

from django.db import migrations

PLAN = [
    ("三年成长计划：仪器设备开放 5 万台次", "use", 50_000),
    ("三年成长计划：检验检测服务 15 万批次", "batch", 150_000),
]


def seed(apps, schema_editor):
    Target = apps.get_model("tracker", "Target")
    for name, kind, count in PLAN:
        Target.objects.get_or_create(
            kind=kind,
            region_id="330000",
            starts_on=dt.date(2018, 1, 1),
            ends_on=dt.date(2020, 12, 31),
            department=None,
            defaults={"name": name, "target_count": count},
        )


def unseed(apps, schema_editor):
    Target = apps.get_model("tracker", "Target")
    Target.objects.filter(department=None, region_id="330000", starts_on=dt.date(2018, 1, 1)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0001_initial"),
        ("accounts", "0002_reference_data"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
