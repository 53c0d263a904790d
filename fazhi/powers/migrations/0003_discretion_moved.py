"""Hand the discretion models to the ``discretion`` app (state only).

The tables stay where they are: ``fazhi.discretion.models`` names them with
``db_table`` (decision 0007). Nothing in the database changes here.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("powers", "0002_choice_labels"),
        ("discretion", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveConstraint(
                    model_name="discretioncircumstance",
                    name="discretioncircumstance_version",
                ),
                migrations.DeleteModel(
                    name="DiscretionCircumstance",
                ),
                migrations.RemoveConstraint(
                    model_name="discretionentry",
                    name="discretionentry_version",
                ),
                migrations.RemoveConstraint(
                    model_name="discretionrule",
                    name="discretionrule_version",
                ),
                migrations.DeleteModel(
                    name="DiscretionRule",
                ),
                migrations.RemoveConstraint(
                    model_name="discretiontier",
                    name="discretiontier_order",
                ),
                migrations.RemoveConstraint(
                    model_name="nopenaltyitem",
                    name="nopenaltyitem_version",
                ),
                migrations.DeleteModel(
                    name="NoPenaltyItem",
                ),
                migrations.RemoveConstraint(
                    model_name="statutoryrange",
                    name="statutoryrange_unique",
                ),
                migrations.RemoveConstraint(
                    model_name="tierfine",
                    name="tierfine_unique",
                ),
                migrations.RemoveField(
                    model_name="discretiontier",
                    name="entry",
                ),
                migrations.RemoveField(
                    model_name="statutoryrange",
                    name="entry",
                ),
                migrations.RemoveField(
                    model_name="tierfine",
                    name="tier",
                ),
                migrations.DeleteModel(
                    name="DiscretionEntry",
                ),
                migrations.DeleteModel(
                    name="StatutoryRange",
                ),
                migrations.DeleteModel(
                    name="DiscretionTier",
                ),
                migrations.DeleteModel(
                    name="TierFine",
                ),
            ],
            database_operations=[],
        ),
    ]
