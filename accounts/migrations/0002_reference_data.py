"""Load Zhejiang's regions (GB/T 2260, 2024) and the small/micro thresholds as data."""

import csv
from pathlib import Path

from django.db import migrations

REGIONS_CSV = Path(__file__).resolve().parent.parent / "data" / "zhejiang-regions-2024.csv"

# 工信部联企业〔2011〕300号. Revenue in fen. Medium starts where both medium figures are reached.
SIZE_RULES = [
    ("industry", "工业", "Industry", 20, 300_0000_00, 300, 2000_0000_00, 1),
    ("software_it", "软件和信息技术服务业", "Software and IT services", 10, 50_0000_00, 100, 1000_0000_00, 2),
    ("wholesale", "批发业", "Wholesale", 5, 1000_0000_00, 20, 5000_0000_00, 3),
    ("retail", "零售业", "Retail", 10, 100_0000_00, 50, 500_0000_00, 4),
]


def load(apps, schema_editor):
    Region = apps.get_model("accounts", "Region")
    with REGIONS_CSV.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for level in ("province", "city", "county"):
        for row in rows:
            if row["level"] != level:
                continue
            Region.objects.update_or_create(
                code=row["code"],
                defaults={
                    "name_zh": row["name_zh"],
                    "name_en": row["name_en"],
                    "level": row["level"],
                    "parent_id": row["parent"] or None,
                },
            )
    Rule = apps.get_model("accounts", "IndustrySizeRule")
    for code, zh, en, s_emp, s_rev, m_emp, m_rev, order in SIZE_RULES:
        Rule.objects.update_or_create(
            code=code,
            defaults=dict(name_zh=zh, name_en=en, small_min_employees=s_emp,
                          small_min_revenue_fen=s_rev, medium_min_employees=m_emp,
                          medium_min_revenue_fen=m_rev, ordering=order),
        )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
