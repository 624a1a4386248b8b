"""The migrations' reference data, loaded again after a transactional test's flush emptied it."""

import csv
from importlib import import_module

from django.db import transaction

MUNICIPALITIES = "accounts.migrations.0002_load_municipalities"
# What the data migrations load, with the model that is empty when it is missing (None: the
# migration's own load fills only what is missing).
REFERENCE_DATA = [
    (MUNICIPALITIES, None),
    ("plans.migrations.0003_reference_data", "plans.Programme"),
    ("plans.migrations.0008_final_accounting_window", None),
    ("finance.migrations.0002_payment_schedule", "finance.PaymentScheduleEntry"),
]


def load_reference_data() -> None:
    """Programme, goals, menukaart, payment schedule and SiSa years, where they are missing.

    In one transaction: the migrations' loads write row by row, and in a transactional test
    each row would otherwise be a commit of its own (about 380 for the municipalities)."""
    from django.apps import apps

    with transaction.atomic():
        for module, model in REFERENCE_DATA:
            if module == MUNICIPALITIES:
                _load_municipalities(apps)
            elif model is None or not apps.get_model(model).objects.exists():
                import_module(module).load(apps, None)
        if not apps.get_model("reporting.SisaYear").objects.exists():
            # 0002's years, brought to the shape 0005 asks.
            import_module("reporting.migrations.0002_sisa_defaults").load(apps, None)
            import_module("reporting.migrations.0005_sisa_as_asked_and_confirmation").to_asked(
                apps, None
            )


def _load_municipalities(apps) -> None:
    """The register as the migration loads it. Its load updates or creates each of the ~380
    rows one by one (about 6 s of a test's set-up); the same rows come from one comparison
    when they are all there and from two bulk statements when none is."""
    migration = import_module(MUNICIPALITIES)
    Municipality = apps.get_model("accounts", "Municipality")
    with migration.DATA.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    wanted = {
        row["gemeentecode"]: (
            row["naam"],
            migration.parse_day(row["vanaf"]),
            migration.parse_day(row["tot"]),
            row["opgegaan_in"] or None,
        )
        for row in rows
    }
    found = {
        code: tuple(rest)
        for code, *rest in Municipality.objects.filter(code__in=wanted).values_list(
            "code", "name", "valid_from", "valid_until", "successor__code"
        )
    }
    if found == wanted:
        return
    if found:
        migration.load(apps, None)
        return
    created = {
        municipality.code: municipality
        for municipality in Municipality.objects.bulk_create(
            Municipality(code=code, name=name, valid_from=start, valid_until=end)
            for code, (name, start, end, _) in wanted.items()
        )
    }
    merged = []
    for code, (*_, successor) in wanted.items():
        if successor:
            created[code].successor = created[successor]
            merged.append(created[code])
    Municipality.objects.bulk_update(merged, ["successor"])
