"""The reporting years in which the eindverantwoording may be filed, as data on the programme.

Source: Stcrt. 2022, 27531 and the ministry's accountability page: final accounting in the
jaarrekening 2023 or later, no later than reporting year 2026. Other programmes get the old
rule (the year the spending period ends) until the functional administrator sets them.
"""

from django.db import migrations, models

WINDOWS = {"npo-gemeenten": (2023, 2026)}


def load(apps, schema_editor):
    """Fill the window of each programme that has none (run again by the browser tests'
    reference data after a flush)."""
    Programme = apps.get_model("plans", "Programme")
    for programme in Programme.objects.filter(final_accounting_first_year=None):
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
            field=models.PositiveSmallIntegerField(
                help_text="The first jaarrekening in which a municipality may file its "
                "eindverantwoording.",
                null=True,
                verbose_name="first reporting year of the final accounting",
            ),
        ),
        migrations.AddField(
            model_name="programme",
            name="final_accounting_last_year",
            field=models.PositiveSmallIntegerField(
                help_text="The report over this year is always the eindverantwoording.",
                null=True,
                verbose_name="last reporting year of the final accounting",
            ),
        ),
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
