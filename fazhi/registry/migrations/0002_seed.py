"""Seed the regulatory categories and the registry rules; make staging UNLOGGED.

Rule values are data with their source (DOMAIN §1, 行政处罚法 Art. 42); the
certificate warning window has no legal source and is seeded unverified.
"""

import csv
import datetime
from pathlib import Path

from django.db import migrations

CATEGORIES = Path(__file__).resolve().parent.parent / "data" / "regulatory_categories.csv"

RULES = [
    {
        "code": "team_min_officers",
        "value": 2,
        "source": "《中华人民共和国行政处罚法》（2021年修订）第四十二条：执法人员不得少于两人，法律另有规定的除外",
        "verified": True,
        "effective_from": datetime.date(2021, 7, 15),
        "effective_to": None,
    },
    {
        "code": "team_min_officers",
        "value": 2,
        "source": "《中华人民共和国行政处罚法》（1996年）第三十七条（条号未核实）",
        "verified": False,
        "effective_from": datetime.date(1996, 10, 1),
        "effective_to": datetime.date(2021, 7, 14),
    },
    {
        "code": "cert_expiry_warning_days",
        "value": 60,
        "source": "本系统默认值：无法定依据，由管理员按本局执法证件管理要求调整",
        "verified": False,
        "effective_from": datetime.date(2000, 1, 1),
        "effective_to": None,
    },
]


def seed(apps, schema_editor):
    Category = apps.get_model("registry", "RegulatoryCategory")
    Rule = apps.get_model("registry", "RegistryRule")
    with CATEGORIES.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            Category.objects.get_or_create(
                code=row["code"],
                defaults={
                    "name": row["name"],
                    "bit": int(row["bit"]),
                    "sort_order": int(row["sort_order"]),
                },
            )
    for rule in RULES:
        Rule.objects.get_or_create(
            code=rule["code"], effective_from=rule["effective_from"], defaults=rule
        )


def unlogged(apps, schema_editor):
    # Staging rows are scratch data re-creatable from the uploaded file:
    # skipping the WAL makes a million-row COPY much cheaper.
    if schema_editor.connection.vendor == "postgresql":
        for table in ("registry_entitystaging", "registry_officerstaging"):
            schema_editor.execute(f"ALTER TABLE {table} SET UNLOGGED")


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
        migrations.RunPython(unlogged, migrations.RunPython.noop),
    ]
