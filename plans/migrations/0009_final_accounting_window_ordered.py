# A migration of its own: PostgreSQL refuses to alter a table with pending trigger events
# left by the data migration's updates in the same transaction.
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("plans", "0008_final_accounting_window")]

    operations = [
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
