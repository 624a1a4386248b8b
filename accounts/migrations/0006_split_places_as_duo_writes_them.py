"""The places of the splits again, sourced (accounts/data/README.md): Wiuwert, Britswert and
Easterwierrum went to Súdwest-Fryslân, not Leeuwarden; DUO's and PostNL's spellings added."""

from django.db import migrations


def load(apps, schema_editor):
    from accounts import register

    register.load_register(
        data=register.read_shipped_register(),
        municipality_model=apps.get_model("accounts", "Municipality"),
        place_model=apps.get_model("accounts", "SplitPlace"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_archivist_and_deactivation"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
