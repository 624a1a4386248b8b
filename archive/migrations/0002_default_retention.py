"""Default retention rules, for the municipality's archivist to confirm: not law.

The periods count from the settlement decision. The categories name where in the VNG
Selectielijst gemeenten en intergemeentelijke organen 2020 the records are expected to fall;
each municipality applies its own selectielijst, and its archivist decides (the admin records
the confirmation in `confirmed_by_archivist`).
"""

from django.db import migrations

TO_CONFIRM = "te bevestigen door de archivaris"
DEFAULTS = [
    # (record group, category, action, years)
    ("verantwoording", f"Verantwoording van de specifieke uitkering (SiSa), {TO_CONFIRM}", "bewaren", 10),
    ("plan", f"Beleidsplan vastgesteld door het college, {TO_CONFIRM}", "bewaren", 10),
    ("behoeften", f"Uitvraag en inventarisatie bij schoolbesturen, {TO_CONFIRM}", "vernietigen", 10),
    ("interventies", f"Uitvoering van het plan, {TO_CONFIRM}", "vernietigen", 10),
    ("begrotingen", f"Begroting van de uitvoering, {TO_CONFIRM}", "vernietigen", 10),
    ("bestedingen", f"Financiële administratie van de uitkering, {TO_CONFIRM}", "vernietigen", 10),
    ("betalingen", f"Ontvangen voorschotten, {TO_CONFIRM}", "vernietigen", 10),
    ("toekenningen", f"Toekenning van de specifieke uitkering, {TO_CONFIRM}", "vernietigen", 10),
    ("vaststelling", f"Vaststelling en terugvordering van de uitkering, {TO_CONFIRM}", "bewaren", 10),
]


def load(apps, schema_editor):
    rule = apps.get_model("archive", "RetentionRule")
    for group, category, action, years in DEFAULTS:
        rule.objects.get_or_create(
            record_group=group,
            defaults={"category": category, "action": action, "years": years},
        )


class Migration(migrations.Migration):
    dependencies = [("archive", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
