"""No lost updates on expenditures, and no race between an import and its abort."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.test import Client

from finance import services as finance_services
from finance.factories import ExpenditureFactory
from finance.models import Expenditure, ExpenditureImport, ImportStatus
from finance.services import update_expenditure
from finance.tests.conftest import csv_bytes
from finance.tests.test_import_worker import reference_data  # noqa: F401 (a fixture)
from finance.tests.test_views import form_data, url
from npo_portal.audit import EditConflict
from plans.tests.test_concurrency import loaded_version
from tests.world import build_world


def test_saving_an_expenditure_over_a_newer_version_is_refused(world):
    municipality = world.middelburg.municipality
    expenditure = ExpenditureFactory(municipality=municipality)
    a, b = Client(), Client()
    a.force_login(world.middelburg.finance_officer)
    b.force_login(world.middelburg.finance_officer)
    edit = url("expenditure-update", municipality, pk=expenditure.pk)
    version_a, version_b = loaded_version(a.get(edit)), loaded_version(b.get(edit))
    assert b.post(edit, form_data(amount="200,00", version=version_b)).status_code == 302
    refused = a.post(edit, form_data(amount="300,00", version=version_a))
    page = refused.content.decode()
    assert "Iemand anders heeft dit intussen opgeslagen" in page
    assert "Bedrag: nu “€\xa0200,00”, van u “€\xa0300,00”" in page
    assert Expenditure.objects.get().amount == Decimal("200.00")


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
def test_two_simultaneous_saves_of_the_same_version_let_exactly_one_through():
    """Real concurrency: two connections save the version both loaded at the same moment.
    The row lock makes the second wait for the first and then see the newer version."""
    if connection.vendor != "postgresql":
        pytest.skip("Row locks need PostgreSQL; SQLite serialises writers anyway.")
    world = build_world()
    expenditure = ExpenditureFactory(municipality=world.middelburg.municipality)
    both_loaded = threading.Barrier(2)
    outcomes: list[str] = []

    def save(amount: str) -> None:
        try:
            mine = Expenditure.objects.select_related("municipality", "programme").get(
                pk=expenditure.pk
            )
            both_loaded.wait(timeout=10)
            update_expenditure(expenditure=mine, user=None, version=1, amount=Decimal(amount))
            outcomes.append("saved")
        except EditConflict:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(amount,)) for amount in ("200", "300")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["refused", "saved"]
    assert Expenditure.objects.get().version == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
def test_an_abort_waits_for_the_worker_importing_the_same_upload(monkeypatch, settings):
    """Real concurrency: the worker is importing when the user aborts. The abort waits on the
    upload's row lock, then finds the import ended; nothing is imported twice or half."""
    if connection.vendor != "postgresql":
        pytest.skip("Row locks need PostgreSQL; SQLite serialises writers anyway.")
    settings.EXPENDITURE_IMPORT_TIMEOUT_MINUTES = 0
    world = build_world()
    job = ExpenditureImport.objects.create(
        municipality=world.middelburg.municipality,
        uploaded_by=world.middelburg.finance_officer,
        file_name="uitgaven.csv",
        size=1,
        sha256="0" * 64,
        content=csv_bytes("01-02-2023;500;1;;Zomerschool;Z;F-1"),
    )
    importing, aborted = threading.Event(), threading.Event()
    real_import = finance_services.import_expenditures
    outcomes: dict[str, object] = {}

    def slow_import(**kwargs):
        importing.set()
        aborted.wait(timeout=2)  # the abort is waiting on the lock meanwhile, not done
        return real_import(**kwargs)

    monkeypatch.setattr(finance_services, "import_expenditures", slow_import)

    def work() -> None:
        try:
            outcomes["worker"] = finance_services.run_expenditure_import(import_id=job.pk)
        finally:
            connections.close_all()

    def abort() -> None:
        importing.wait(timeout=10)
        try:
            finance_services.abandon_import(
                expenditure_import=job, user=world.middelburg.finance_officer
            )
            outcomes["abort"] = "aborted"
        except ValidationError as refusal:
            outcomes["abort"] = refusal.messages[0]
        finally:
            aborted.set()
            connections.close_all()

    threads = [threading.Thread(target=work), threading.Thread(target=abort)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert outcomes["abort"] == "Deze import is al afgelopen; er valt niets af te breken."
    assert Expenditure.objects.count() == 1
