"""Load every municipality that existed during NP Onderwijs (2021-2025) with its dates and
successor, from accounts/data/gemeenten.csv (CBS codes; see shared/data/README.md)."""

import csv
from datetime import date
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "gemeenten.csv"


def parse_day(value):
    return date.fromisoformat(value) if value else None


def load(apps, schema_editor):
    Municipality = apps.get_model("accounts", "Municipality")
    with DATA.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    by_code = {}
    for row in rows:
        municipality, _ = Municipality.objects.update_or_create(
            code=row["gemeentecode"],
            defaults={
                "name": row["naam"],
                "valid_from": parse_day(row["vanaf"]),
                "valid_until": parse_day(row["tot"]),
            },
        )
        by_code[municipality.code] = municipality
    for row in rows:
        if row["opgegaan_in"]:
            municipality = by_code[row["gemeentecode"]]
            municipality.successor = by_code[row["opgegaan_in"]]
            municipality.save(update_fields=["successor"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
