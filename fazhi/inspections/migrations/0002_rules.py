"""Seed the random-check rule data and the inspection clocks (DOMAIN §4).

The values live in fazhi/inspections/data/rules.json with their sources.
Rules that DOMAIN tags [S3] (third-party source) or [U] (no source) are seeded
with verified=False, so the UI flags them until an administrator has checked
the official text. Later edits go through the rule services (audited).
"""

import datetime
import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "rules.json"


def seed(apps, schema_editor):
    data = json.loads(DATA.read_text(encoding="utf-8"))
    start = datetime.date.fromisoformat(data["effective_from"])
    SamplingRatio = apps.get_model("inspections", "SamplingRatio")
    InspectionRule = apps.get_model("inspections", "InspectionRule")
    ClockRule = apps.get_model("core", "ClockRule")
    for row in data["sampling_ratios"]:
        SamplingRatio.objects.get_or_create(
            owner=None,
            credit_class=row["credit_class"],
            risk_level=row["risk_level"],
            effective_from=start,
            defaults={k: row[k] for k in ("ratio_ppm", "source", "verified", "notes")},
        )
    for row in data["inspection_rules"]:
        InspectionRule.objects.get_or_create(
            owner=None,
            code=row["code"],
            effective_from=start,
            defaults={k: row[k] for k in ("value", "source", "verified")},
        )
    for row in data["clock_rules"]:
        fields = {k: v for k, v in row.items() if k != "code"}
        ClockRule.objects.get_or_create(code=row["code"], effective_from=start, defaults=fields)


def unseed(apps, schema_editor):
    data = json.loads(DATA.read_text(encoding="utf-8"))
    apps.get_model("core", "ClockRule").objects.filter(
        code__in=[r["code"] for r in data["clock_rules"]]
    ).delete()
    apps.get_model("inspections", "SamplingRatio").objects.filter(owner=None).delete()
    apps.get_model("inspections", "InspectionRule").objects.filter(owner=None).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0001_initial"),
        ("core", "0002_seed_clock_rules"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
