from importlib import import_module

import pytest
from django.apps import apps

from finance.models import Expenditure, ExpenditureImport, ImportStatus
from finance.services import start_expenditure_import
from finance.tasks import run_expenditure_import
from finance.tests.conftest import csv_bytes
from plans.models import Programme
from tests.world import build_world

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def reference_data(transactional_db):
    """Earlier transactional tests flush what the data migrations loaded (programme, goals,
    payment schedule); load it again the way the migrations do."""
    if not Programme.objects.exists():
        for module in (
            "plans.migrations.0003_reference_data",
            "finance.migrations.0002_payment_schedule",
        ):
            import_module(module).load(apps, None)


def test_an_uploaded_file_is_imported_by_a_real_worker(celery_worker_process, reference_data):
    world = build_world()
    job = start_expenditure_import(
        municipality=world.middelburg.municipality,
        user=world.middelburg.finance_officer,
        file_name="uitgaven.csv",
        data=csv_bytes(
            "01-02-2023;1.250,00;bovenschools;;Zomerschool;Z;F-1",
            "2023-02-02;-250.00;1;;Creditnota zomerschool;Z;CN-1",
        ),
    )
    # Outside a transaction on_commit runs at once: the task is already on the queue. A
    # second delivery of the same id must change nothing.
    assert run_expenditure_import.delay(job.pk).get(timeout=60) is None
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE, job.messages
    assert job.created_count == 2
    assert Expenditure.objects.filter(municipality=world.middelburg.municipality).count() == 2
    assert ExpenditureImport.objects.count() == 1
