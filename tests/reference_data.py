"""The migrations' reference data, loaded again after a transactional test's flush emptied it."""

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
    """The register since 2016 with the places of the splits, as the migrations leave it
    (0002's list, then the shipped register of 0004 and 0006). `register.load_register`
    writes row by row (seconds of a test's set-up); the same rows come from one comparison
    when they are all there and from bulk statements when none is."""
    from accounts import register

    data = register.read_shipped_register()
    Municipality = apps.get_model("accounts", "Municipality")
    SplitPlace = apps.get_model("accounts", "SplitPlace")
    # A split has several successors: its places decide, so it names none itself.
    wanted = {
        row.code: (
            row.name,
            row.valid_from,
            row.valid_until,
            row.successors[0] if len(row.successors) == 1 else None,
        )
        for row in data.municipalities
    }
    found = {
        code: tuple(rest)
        for code, *rest in Municipality.objects.filter(code__in=wanted).values_list(
            "code", "name", "valid_from", "valid_until", "successor__code"
        )
    }
    if found == wanted and SplitPlace.objects.count() == len(data.places):
        return
    if found:
        register.load_register(data=data, municipality_model=Municipality, place_model=SplitPlace)
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
    SplitPlace.objects.bulk_create(
        SplitPlace(municipality=created[code], place=place, successor=created[successor])
        for code, place, successor in data.places
    )
