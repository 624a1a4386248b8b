# A migration of its own: PostgreSQL refuses to alter a table with pending trigger events
# left by the data migration's updates in the same transaction.
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("plans", "0008_final_accounting_window")]

    operations = [
        migrations.AlterField(
            model_name="programme",
            name="final_accounting_first_year",
            field=models.PositiveSmallIntegerField(
                help_text="The first jaarrekening in which a municipality may file its eindverantwoording.",
                verbose_name="first reporting year of the final accounting",
            ),
        ),
        migrations.AlterField(
            model_name="programme",
            name="final_accounting_last_year",
            field=models.PositiveSmallIntegerField(
                help_text="The report over this year is always the eindverantwoording.",
                verbose_name="last reporting year of the final accounting",
            ),
        ),
        migrations.AddConstraint(
            model_name="programme",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("final_accounting_last_year__gte", models.F("final_accounting_first_year"))
                ),
                name="programme_final_accounting_window_ordered",
            ),
        ),
    ]
