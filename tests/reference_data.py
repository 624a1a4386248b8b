"""The migrations' reference data, loaded again after a transactional test's flush emptied it."""

from importlib import import_module

# What the data migrations load, with the model that is empty when it is missing (None: the
# migration's own load fills only what is missing).
REFERENCE_DATA = [
    ("accounts.migrations.0002_load_municipalities", None),
    ("plans.migrations.0003_reference_data", "plans.Programme"),
    ("plans.migrations.0008_final_accounting_window", None),
    ("finance.migrations.0002_payment_schedule", "finance.PaymentScheduleEntry"),
]


def load_reference_data() -> None:
    """Programme, goals, menukaart, payment schedule and SiSa years, where they are missing."""
    from django.apps import apps

    for module, model in REFERENCE_DATA:
        if model is None or not apps.get_model(model).objects.exists():
            import_module(module).load(apps, None)
    if not apps.get_model("reporting.SisaYear").objects.exists():
        # 0002's years, brought to the shape 0005 asks.
        import_module("reporting.migrations.0002_sisa_defaults").load(apps, None)
        import_module("reporting.migrations.0005_sisa_as_asked_and_confirmation").to_asked(
            apps, None
        )
