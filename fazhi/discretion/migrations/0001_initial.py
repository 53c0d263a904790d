"""The discretion models, taken over from ``powers`` with their tables.

``powers`` 0001 created the tables (``powers_discretionentry`` …); this
migration adds the models to the ``discretion`` app's state only, and moves
their content types, so that permissions granted to roles and the audit
viewer's links keep working (decision 0007).
"""

import django.db.models.deletion
from django.db import migrations, models

MODELS = [
    "discretionentry",
    "statutoryrange",
    "discretiontier",
    "tierfine",
    "discretionrule",
    "discretioncircumstance",
    "nopenaltyitem",
]


def _relabel(apps, old, new):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if ContentType.objects.filter(app_label=new, model=model).exists():
            continue
        ContentType.objects.filter(app_label=old, model=model).update(app_label=new)


def move_content_types(apps, schema_editor):
    _relabel(apps, "powers", "discretion")


def move_content_types_back(apps, schema_editor):
    _relabel(apps, "discretion", "powers")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("laws", "0002_fulltext"),
        ("powers", "0002_choice_labels"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="DiscretionCircumstance",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("effective_from", models.DateField(verbose_name="effective from")),
                        (
                            "effective_to",
                            models.DateField(blank=True, null=True, verbose_name="effective to"),
                        ),
                        ("code", models.SlugField(max_length=60, verbose_name="code")),
                        ("name", models.CharField(max_length=200, verbose_name="name")),
                        (
                            "effect",
                            models.CharField(
                                choices=[
                                    ("must_mitigate", "Must be lenient or mitigated"),
                                    ("may_mitigate", "May be lenient or mitigated"),
                                    ("aggravate", "Severe"),
                                    ("tier", "Selects a tier only"),
                                ],
                                max_length=20,
                                verbose_name="effect",
                            ),
                        ),
                        ("source", models.CharField(max_length=300, verbose_name="source")),
                        ("verified", models.BooleanField(default=True, verbose_name="verified")),
                        (
                            "sort_order",
                            models.PositiveSmallIntegerField(default=0, verbose_name="sort order"),
                        ),
                    ],
                    options={
                        "verbose_name": "circumstance",
                        "verbose_name_plural": "circumstances",
                        "db_table": "powers_discretioncircumstance",
                        "ordering": ["sort_order", "code"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("code", "effective_from"),
                                name="discretioncircumstance_version",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="DiscretionEntry",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("effective_from", models.DateField(verbose_name="effective from")),
                        (
                            "effective_to",
                            models.DateField(blank=True, null=True, verbose_name="effective to"),
                        ),
                        ("code", models.CharField(max_length=40, verbose_name="code")),
                        ("violation", models.CharField(max_length=500, verbose_name="violation")),
                        (
                            "legal_provision_text",
                            models.CharField(
                                blank=True,
                                help_text="法律规定",
                                max_length=300,
                                verbose_name="provision violated",
                            ),
                        ),
                        (
                            "penalty_basis_text",
                            models.CharField(
                                help_text="处罚依据",
                                max_length=300,
                                verbose_name="penalty provision",
                            ),
                        ),
                        (
                            "penalty_clause",
                            models.TextField(
                                blank=True,
                                help_text="The penalty wording of the statute.",
                                verbose_name="statutory penalty",
                            ),
                        ),
                        (
                            "no_discretion",
                            models.BooleanField(
                                default=False,
                                help_text="The statute fixes the fine, e.g. a percentage of income; no bands apply.",
                                verbose_name="fixed by statute (no discretion)",
                            ),
                        ),
                        (
                            "issuing_document",
                            models.CharField(
                                blank=True, max_length=200, verbose_name="issuing document"
                            ),
                        ),
                        ("notes", models.TextField(blank=True, verbose_name="notes")),
                        (
                            "created_at",
                            models.DateTimeField(auto_now_add=True, verbose_name="created at"),
                        ),
                        (
                            "updated_at",
                            models.DateTimeField(auto_now=True, verbose_name="updated at"),
                        ),
                        (
                            "legal_provision",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="laws.article",
                                verbose_name="provision violated (article)",
                            ),
                        ),
                        (
                            "penalty_basis",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="discretion_entries",
                                to="laws.article",
                                verbose_name="penalty provision (article)",
                            ),
                        ),
                        (
                            "supersedes",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="superseded_by",
                                to="discretion.discretionentry",
                                verbose_name="previous version",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "discretion entry",
                        "verbose_name_plural": "discretion entries",
                        "db_table": "powers_discretionentry",
                        "ordering": ["code", "-effective_from"],
                    },
                ),
                migrations.CreateModel(
                    name="DiscretionRule",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("effective_from", models.DateField(verbose_name="effective from")),
                        (
                            "effective_to",
                            models.DateField(blank=True, null=True, verbose_name="effective to"),
                        ),
                        (
                            "code",
                            models.CharField(
                                choices=[
                                    ("lenient_band", "Lenient band (percent of the range)"),
                                    ("standard_band", "Standard band (percent of the range)"),
                                    ("severe_band", "Severe band (percent of the range)"),
                                    ("min_age", "Age below which no penalty is imposed"),
                                    ("adult_age", "Age below which the penalty must be mitigated"),
                                    ("limitation_years", "Limitation period (years)"),
                                    (
                                        "extended_limitation_years",
                                        "Limitation period where life, health or financial security was harmed (years)",
                                    ),
                                ],
                                max_length=40,
                                verbose_name="rule",
                            ),
                        ),
                        (
                            "lower",
                            models.DecimalField(
                                decimal_places=2, max_digits=8, verbose_name="value / from"
                            ),
                        ),
                        (
                            "upper",
                            models.DecimalField(
                                blank=True,
                                decimal_places=2,
                                max_digits=8,
                                null=True,
                                verbose_name="to",
                            ),
                        ),
                        ("source", models.CharField(max_length=300, verbose_name="source")),
                        ("verified", models.BooleanField(default=False, verbose_name="verified")),
                        ("notes", models.TextField(blank=True, verbose_name="notes")),
                    ],
                    options={
                        "verbose_name": "discretion rule",
                        "verbose_name_plural": "discretion rules",
                        "db_table": "powers_discretionrule",
                        "ordering": ["code", "-effective_from"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("code", "effective_from"), name="discretionrule_version"
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="DiscretionTier",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("order", models.PositiveSmallIntegerField(verbose_name="tier")),
                        ("name", models.CharField(max_length=60, verbose_name="name")),
                        (
                            "condition_kind",
                            models.CharField(
                                choices=[
                                    ("numeric", "A counted fact within bounds"),
                                    ("circumstance", "A named circumstance applies"),
                                    ("always", "Always (chosen by the officer)"),
                                ],
                                max_length=20,
                                verbose_name="condition kind",
                            ),
                        ),
                        (
                            "condition_fact",
                            models.CharField(blank=True, max_length=60, verbose_name="fact"),
                        ),
                        (
                            "condition_fact_label",
                            models.CharField(
                                blank=True, max_length=100, verbose_name="fact label"
                            ),
                        ),
                        (
                            "condition_lower",
                            models.DecimalField(
                                blank=True,
                                decimal_places=2,
                                max_digits=14,
                                null=True,
                                verbose_name="fact from",
                            ),
                        ),
                        (
                            "condition_lower_inclusive",
                            models.BooleanField(default=True, verbose_name="from included"),
                        ),
                        (
                            "condition_upper",
                            models.DecimalField(
                                blank=True,
                                decimal_places=2,
                                max_digits=14,
                                null=True,
                                verbose_name="fact up to",
                            ),
                        ),
                        (
                            "condition_upper_inclusive",
                            models.BooleanField(default=True, verbose_name="up to included"),
                        ),
                        (
                            "condition_circumstance",
                            models.CharField(
                                blank=True, max_length=60, verbose_name="circumstance"
                            ),
                        ),
                        (
                            "condition_text",
                            models.TextField(
                                help_text="适用条件 as published", verbose_name="condition"
                            ),
                        ),
                        (
                            "mitigated",
                            models.BooleanField(
                                default=False,
                                help_text="减轻",
                                verbose_name="mitigated (below the statutory minimum)",
                            ),
                        ),
                        (
                            "mitigation_ground",
                            models.CharField(
                                blank=True,
                                help_text="e.g. 《中华人民共和国行政处罚法》第三十二条",
                                max_length=300,
                                verbose_name="legal ground for mitigation",
                            ),
                        ),
                        ("verified", models.BooleanField(default=True, verbose_name="verified")),
                        (
                            "source",
                            models.CharField(blank=True, max_length=300, verbose_name="source"),
                        ),
                        ("notes", models.TextField(blank=True, verbose_name="notes")),
                        (
                            "entry",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="tiers",
                                to="discretion.discretionentry",
                                verbose_name="entry",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "discretion tier",
                        "verbose_name_plural": "discretion tiers",
                        "db_table": "powers_discretiontier",
                        "ordering": ["entry", "order"],
                    },
                ),
                migrations.CreateModel(
                    name="NoPenaltyItem",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("effective_from", models.DateField(verbose_name="effective from")),
                        (
                            "effective_to",
                            models.DateField(blank=True, null=True, verbose_name="effective to"),
                        ),
                        ("code", models.CharField(max_length=40, verbose_name="code")),
                        (
                            "entry_code",
                            models.CharField(
                                db_index=True,
                                help_text="The entry (any version) this row applies to.",
                                max_length=40,
                                verbose_name="discretion entry code",
                            ),
                        ),
                        (
                            "matter",
                            models.CharField(max_length=300, verbose_name="penalty matter"),
                        ),
                        ("basis_text", models.CharField(max_length=300, verbose_name="basis")),
                        (
                            "circumstance_text",
                            models.TextField(verbose_name="applicable circumstances"),
                        ),
                        (
                            "no_penalty_basis_text",
                            models.CharField(max_length=300, verbose_name="basis for no penalty"),
                        ),
                        (
                            "decision",
                            models.CharField(
                                choices=[
                                    ("no_penalty", "No penalty"),
                                    ("may_waive", "Penalty may be waived"),
                                ],
                                max_length=20,
                                verbose_name="decision",
                            ),
                        ),
                        (
                            "requires_first_violation",
                            models.BooleanField(
                                default=False, verbose_name="first violation required"
                            ),
                        ),
                        (
                            "requires_corrected_in_time",
                            models.BooleanField(
                                default=True, verbose_name="correction in time required"
                            ),
                        ),
                        (
                            "max_harm",
                            models.CharField(
                                choices=[
                                    ("none", "No harm"),
                                    ("minor", "Minor harm"),
                                    ("general", "Harm"),
                                    ("serious", "Serious harm"),
                                ],
                                default="none",
                                max_length=10,
                                verbose_name="at most this harm",
                            ),
                        ),
                        (
                            "condition_fact",
                            models.CharField(blank=True, max_length=60, verbose_name="fact"),
                        ),
                        (
                            "condition_upper",
                            models.DecimalField(
                                blank=True,
                                decimal_places=2,
                                max_digits=14,
                                null=True,
                                verbose_name="fact up to",
                            ),
                        ),
                        (
                            "condition_upper_inclusive",
                            models.BooleanField(default=True, verbose_name="up to included"),
                        ),
                        (
                            "issuing_document",
                            models.CharField(
                                blank=True, max_length=200, verbose_name="issuing document"
                            ),
                        ),
                        ("verified", models.BooleanField(default=False, verbose_name="verified")),
                    ],
                    options={
                        "verbose_name": "no-penalty list item",
                        "verbose_name_plural": "no-penalty list items",
                        "db_table": "powers_nopenaltyitem",
                        "ordering": ["code"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("code", "effective_from"), name="nopenaltyitem_version"
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="StatutoryRange",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "target",
                            models.CharField(
                                choices=[
                                    ("unit", "Business unit"),
                                    ("principal", "Person in charge"),
                                    ("responsible_person", "Directly responsible persons"),
                                ],
                                max_length=20,
                                verbose_name="target",
                            ),
                        ),
                        (
                            "stage",
                            models.CharField(
                                choices=[
                                    ("initial", "Initial violation"),
                                    ("uncorrected", "Not corrected in time"),
                                ],
                                max_length=20,
                                verbose_name="stage",
                            ),
                        ),
                        (
                            "measure",
                            models.CharField(
                                choices=[
                                    ("amount", "Yuan"),
                                    ("income_percent", "Percentage of last year's income"),
                                ],
                                default="amount",
                                max_length=20,
                                verbose_name="measure",
                            ),
                        ),
                        (
                            "min_amount",
                            models.DecimalField(
                                blank=True,
                                decimal_places=2,
                                max_digits=14,
                                null=True,
                                verbose_name="minimum",
                            ),
                        ),
                        (
                            "min_inclusive",
                            models.BooleanField(default=True, verbose_name="minimum included"),
                        ),
                        (
                            "max_amount",
                            models.DecimalField(
                                blank=True,
                                decimal_places=2,
                                max_digits=14,
                                null=True,
                                verbose_name="maximum",
                            ),
                        ),
                        (
                            "max_inclusive",
                            models.BooleanField(default=True, verbose_name="maximum included"),
                        ),
                        (
                            "extra_measures",
                            models.JSONField(
                                blank=True, default=list, verbose_name="other measures"
                            ),
                        ),
                        (
                            "entry",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="ranges",
                                to="discretion.discretionentry",
                                verbose_name="entry",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "statutory range",
                        "verbose_name_plural": "statutory ranges",
                        "db_table": "powers_statutoryrange",
                        "ordering": ["entry", "target", "stage"],
                    },
                ),
                migrations.CreateModel(
                    name="TierFine",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "target",
                            models.CharField(
                                choices=[
                                    ("unit", "Business unit"),
                                    ("principal", "Person in charge"),
                                    ("responsible_person", "Directly responsible persons"),
                                ],
                                max_length=20,
                                verbose_name="target",
                            ),
                        ),
                        (
                            "stage",
                            models.CharField(
                                choices=[
                                    ("initial", "Initial violation"),
                                    ("uncorrected", "Not corrected in time"),
                                ],
                                max_length=20,
                                verbose_name="stage",
                            ),
                        ),
                        (
                            "measure",
                            models.CharField(
                                choices=[
                                    ("amount", "Yuan"),
                                    ("income_percent", "Percentage of last year's income"),
                                ],
                                default="amount",
                                max_length=20,
                                verbose_name="measure",
                            ),
                        ),
                        (
                            "min_amount",
                            models.DecimalField(
                                blank=True,
                                decimal_places=2,
                                max_digits=14,
                                null=True,
                                verbose_name="minimum",
                            ),
                        ),
                        (
                            "min_inclusive",
                            models.BooleanField(default=True, verbose_name="minimum included"),
                        ),
                        (
                            "max_amount",
                            models.DecimalField(
                                blank=True,
                                decimal_places=2,
                                max_digits=14,
                                null=True,
                                verbose_name="maximum",
                            ),
                        ),
                        (
                            "max_inclusive",
                            models.BooleanField(default=True, verbose_name="maximum included"),
                        ),
                        (
                            "extra_measures",
                            models.JSONField(
                                blank=True, default=list, verbose_name="other measures"
                            ),
                        ),
                        (
                            "tier",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="fines",
                                to="discretion.discretiontier",
                                verbose_name="tier",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "tier fine",
                        "verbose_name_plural": "tier fines",
                        "db_table": "powers_tierfine",
                        "ordering": ["tier", "target", "stage"],
                    },
                ),
                migrations.AddConstraint(
                    model_name="discretionentry",
                    constraint=models.UniqueConstraint(
                        fields=("code", "effective_from"), name="discretionentry_version"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="discretiontier",
                    constraint=models.UniqueConstraint(
                        fields=("entry", "order"), name="discretiontier_order"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="statutoryrange",
                    constraint=models.UniqueConstraint(
                        fields=("entry", "target", "stage"), name="statutoryrange_unique"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="tierfine",
                    constraint=models.UniqueConstraint(
                        fields=("tier", "target", "stage"), name="tierfine_unique"
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
