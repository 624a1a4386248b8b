import pytest

from finance.models import Expenditure, ExpenditureImport, ImportStatus
from finance.services import start_expenditure_import
from finance.tasks import run_expenditure_import
from finance.tests.conftest import csv_bytes
from tests.world import build_world

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


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
