"""The spending summary finance_totals reads, filled from the expenditures already recorded."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth

COLUMNS = ("programme_id", "municipality_id", "month", "goal_id", "intervention_id")


def fill_summary(apps, schema_editor):
    Expenditure = apps.get_model("finance", "Expenditure")
    SpendingSummary = apps.get_model("finance", "SpendingSummary")
    groups = (
        Expenditure.objects.annotate(month=TruncMonth("date"))
        .values(*COLUMNS)
        .annotate(total=Sum("amount"), count=Count("pk"))
        .order_by()
    )
    select, params = groups.query.sql_with_params()
    columns = ", ".join((*COLUMNS, "total", "count"))
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {SpendingSummary._meta.db_table} ({columns}) {select}",  # noqa: S608
            params,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_roles_auditor_monitor_key_user"),
        ("finance", "0005_municipal_merger"),
        ("plans", "0009_final_accounting_window_ordered"),
    ]

    operations = [
        migrations.CreateModel(
            name="SpendingSummary",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("month", models.DateField(verbose_name="month (first day)")),
                (
                    "total",
                    models.DecimalField(decimal_places=2, max_digits=20, verbose_name="total"),
                ),
                ("count", models.PositiveIntegerField(verbose_name="number of expenditures")),
                (
                    "goal",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="plans.spendinggoal",
                    ),
                ),
                (
                    "intervention",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="plans.intervention",
                    ),
                ),
                (
                    "municipality",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="accounts.municipality",
                    ),
                ),
                (
                    "programme",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="plans.programme",
                    ),
                ),
            ],
            options={
                "verbose_name": "spending summary",
                "verbose_name_plural": "spending summary",
                "indexes": [
                    models.Index(
                        fields=["municipality", "programme", "month"], name="summary_mun_month"
                    )
                ],
            },
        ),
        migrations.RunPython(fill_summary, migrations.RunPython.noop, elidable=True),
    ]
