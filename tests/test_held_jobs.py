"""The test helper that holds jobs (tests/jobs.py) holds them where every job is sent, and
runs them through their real tasks when released."""

from finance.models import Expenditure, ExpenditureImport, ImportStatus
from finance.services import import_jobs
from finance.tests.conftest import csv_bytes
from tests.jobs import hold_jobs


def test_a_held_import_waits_until_released_and_then_imports(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    held = hold_jobs(monkeypatch)
    with django_capture_on_commit_callbacks(execute=True):
        job = import_jobs.start_expenditure_import(
            municipality=world.middelburg.municipality,
            user=world.middelburg.finance_officer,
            file_name="uitgaven.csv",
            data=csv_bytes("01-02-2023;500;1;;Zomerschool;Z;F-1"),
        )
    assert held.task_names == ["finance.tasks.run_expenditure_import"]
    assert ExpenditureImport.objects.get(pk=job.pk).status == ImportStatus.QUEUED
    assert not Expenditure.objects.exists()

    held.release()
    assert held.task_names == []
    assert ExpenditureImport.objects.get(pk=job.pk).status == ImportStatus.DONE
    assert Expenditure.objects.get().description == "Zomerschool"
