"""The reporting years in which the eindverantwoording may be filed, as data on the programme.

Source: Stcrt. 2022, 27531 and the ministry's accountability page: final accounting in the
jaarrekening 2023 or later, no later than reporting year 2026. Other programmes get the old
rule (the year the spending period ends) until the functional administrator sets them.
"""

from django.db import migrations, models

WINDOWS = {"npo-gemeenten": (2023, 2026)}


def fill(apps, schema_editor):
    Programme = apps.get_model("plans", "Programme")
    for programme in Programme.objects.all():
        first, last = WINDOWS.get(programme.slug, (programme.end.year, programme.end.year))
        programme.final_accounting_first_year = first
        programme.final_accounting_last_year = last
        programme.save(
            update_fields=["final_accounting_first_year", "final_accounting_last_year"]
        )


class Migration(migrations.Migration):
    dependencies = [("plans", "0007_allocation_basis")]

    operations = [
        migrations.AddField(
            model_name="programme",
            name="final_accounting_first_year",
            field=models.PositiveSmallIntegerField(null=True),
        ),
        migrations.AddField(
            model_name="programme",
            name="final_accounting_last_year",
            field=models.PositiveSmallIntegerField(null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
