"""One summary row per group, so the writes can add their sums to it (INSERT … ON CONFLICT).

The rows so far come from GROUP BY aggregations, one per group, so the constraint holds.
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0005_archivist_and_deactivation'),
        ('finance', '0009_shared_job_status'),
        ('plans', '0011_school_reach'),
    ]

    operations = [
        migrations.AddConstraint(
            model_name='spendingsummary',
            constraint=models.UniqueConstraint(fields=('municipality', 'programme', 'month', 'goal', 'intervention'), name='summary_one_row_per_group', nulls_distinct=False),
        ),
    ]
