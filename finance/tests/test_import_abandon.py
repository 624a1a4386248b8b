"""Aborting an expenditure import whose worker never finished it ("Import afbreken")."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from finance import tasks
from finance.models import Expenditure, ExpenditureImport, ImportStatus
from finance.services import import_jobs as services
from finance.tests.conftest import csv_bytes
from tests.world import build_world


@pytest.fixture
def waiting(world, django_capture_on_commit_callbacks):
    """An upload whose task never ran (the worker died before it)."""
    with django_capture_on_commit_callbacks(execute=False):
        return services.start_expenditure_import(
            municipality=world.middelburg.municipality,
            user=world.middelburg.finance_officer,
            file_name="uitgaven.csv",
            data=csv_bytes("01-02-2023;500;1;;Zomerschool;Z;F-1"),
        )


def age(job, *, queued=None, started=None, status=None):
    """Move the upload's clock back by so many minutes."""
    now = timezone.now()
    changes = {}
    if queued is not None:
        changes["created_at"] = now - datetime.timedelta(minutes=queued)
    if started is not None:
        changes["started_at"] = now - datetime.timedelta(minutes=started)
        changes["status"] = ImportStatus.RUNNING
    if status is not None:
        changes["status"] = status
    ExpenditureImport.objects.filter(pk=job.pk).update(**changes)
    job.refresh_from_db()
    return job


def test_an_import_is_not_aborted_before_the_timeout(world, waiting):
    age(waiting, queued=29)
    with pytest.raises(ValidationError, match="pas na 30 minuten zonder resultaat"):
        services.abandon_import(expenditure_import=waiting, user=world.middelburg.finance_officer)
    waiting.refresh_from_db()
    assert waiting.status == ImportStatus.QUEUED
    assert waiting.upload  # the file still waits for its import


def test_a_stuck_waiting_import_is_marked_failed_and_a_late_worker_imports_nothing(world, waiting):
    age(waiting, queued=31)
    job = services.abandon_import(expenditure_import=waiting, user=world.middelburg.finance_officer)
    assert job.status == ImportStatus.FAILED
    assert job.finished_at
    assert not job.upload
    [reason] = job.messages
    assert f"Afgebroken door {world.middelburg.finance_officer.get_full_name()} op " in reason
    assert "Er is niets van dit bestand geïmporteerd" in reason
    # The task is delivered after all: it must not import behind the user's back.
    assert tasks.run_expenditure_import.delay(waiting.pk).get() is None
    assert not Expenditure.objects.exists()
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED


def test_a_running_import_counts_from_its_start(world, waiting):
    age(waiting, queued=120, started=10)
    with pytest.raises(ValidationError):
        services.abandon_import(expenditure_import=waiting, user=world.middelburg.finance_officer)
    age(waiting, started=31)
    job = services.abandon_import(expenditure_import=waiting, user=world.middelburg.finance_officer)
    assert job.status == ImportStatus.FAILED


def test_the_timeout_is_a_setting(world, waiting, settings):
    settings.EXPENDITURE_IMPORT_TIMEOUT_MINUTES = 5
    age(waiting, queued=6)
    job = services.abandon_import(expenditure_import=waiting, user=world.middelburg.finance_officer)
    assert job.status == ImportStatus.FAILED
    assert "na 5 minuten" in job.messages[0]


def test_a_finished_import_cannot_be_aborted(world, waiting):
    assert services.run_expenditure_import(import_id=waiting.pk).status == ImportStatus.DONE
    age(waiting, queued=120, started=120, status=ImportStatus.DONE)
    with pytest.raises(ValidationError, match="al afgelopen"):
        services.abandon_import(expenditure_import=waiting, user=world.middelburg.finance_officer)
    assert Expenditure.objects.count() == 1


def test_an_import_aborted_after_the_worker_claimed_it_imports_nothing(world, waiting, monkeypatch):
    """The worker marked the upload running, then stalled past the timeout; the user gave
    up before it went on. When it does go on, it finds the upload aborted."""
    claim = services._claim_import

    def claim_then_stall(import_id):
        job = claim(import_id)
        age(job, started=31)
        services.abandon_import(expenditure_import=job, user=world.middelburg.finance_officer)
        return job

    monkeypatch.setattr(services, "_claim_import", claim_then_stall)
    assert services.run_expenditure_import(import_id=waiting.pk) is None
    assert not Expenditure.objects.exists()
    waiting.refresh_from_db()
    assert waiting.status == ImportStatus.FAILED
    assert waiting.messages[0].startswith("Afgebroken door")


def detail(job):
    return reverse("finance:import-detail", args=[job.municipality.code, job.pk])


def abandon(job):
    return reverse("finance:import-abandon", args=[job.municipality.code, job.pk])


def test_the_finance_officer_aborts_a_stuck_import_from_its_page(client, world, waiting):
    client.force_login(world.middelburg.finance_officer)
    fresh = client.get(detail(waiting)).content.decode()
    assert abandon(waiting) not in fresh
    age(waiting, queued=45)
    stuck = client.get(detail(waiting)).content.decode()
    assert 'http-equiv="refresh"' not in stuck
    assert "langer dan 30 minuten geen resultaat" in stuck
    assert abandon(waiting) in stuck
    assert "Import afbreken" in stuck
    response = client.post(abandon(waiting), follow=True)
    page = response.content.decode()
    assert response.redirect_chain == [(detail(waiting), 302)]
    assert "De import is afgebroken. Er is niets van het bestand opgeslagen." in page
    assert "Afgebroken door" in page
    assert abandon(waiting) not in page


def test_aborting_too_early_says_when_it_becomes_possible(client, world, waiting):
    client.force_login(world.middelburg.finance_officer)
    page = client.post(abandon(waiting), follow=True).content.decode()
    assert "pas na 30 minuten zonder resultaat" in page
    waiting.refresh_from_db()
    assert waiting.status == ImportStatus.QUEUED


def test_aborting_is_a_post(client, world, waiting):
    client.force_login(world.middelburg.finance_officer)
    assert client.get(abandon(waiting)).status_code == 405


@pytest.mark.parametrize("role", ["policy_officer", "board_user"])
def test_only_the_municipalitys_finance_officer_aborts(client, world, waiting, role):
    age(waiting, queued=45)
    client.force_login(getattr(world.middelburg, role))
    assert client.post(abandon(waiting)).status_code in (403, 404)
    client.force_login(world.functional_admin)
    assert client.post(abandon(waiting)).status_code == 403
    client.force_login(world.vlissingen.finance_officer)
    assert client.post(abandon(waiting)).status_code == 404
    waiting.refresh_from_db()
    assert waiting.status == ImportStatus.QUEUED


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
def test_an_abort_waits_for_the_worker_importing_the_same_upload(monkeypatch, settings):
    """Real concurrency: the worker is importing when the user aborts. The abort waits on the
    upload's row lock, then finds the import ended; nothing is imported twice or half."""
    if connection.vendor != "postgresql":
        pytest.skip("Row locks need PostgreSQL; SQLite serialises writers anyway.")
    settings.EXPENDITURE_IMPORT_TIMEOUT_MINUTES = 0
    world = build_world()
    job = ExpenditureImport(
        municipality=world.middelburg.municipality,
        uploaded_by=world.middelburg.finance_officer,
        file_name="uitgaven.csv",
        size=1,
        sha256="0" * 64,
    )
    job.upload.save("upload", ContentFile(csv_bytes("01-02-2023;500;1;;Zomerschool;Z;F-1")))
    importing, aborted = threading.Event(), threading.Event()
    real_import = services.import_expenditures
    outcomes: dict[str, object] = {}

    def slow_import(**kwargs):
        importing.set()
        aborted.wait(timeout=2)  # the abort is waiting on the lock meanwhile, not done
        return real_import(**kwargs)

    monkeypatch.setattr(services, "import_expenditures", slow_import)

    def work() -> None:
        try:
            outcomes["worker"] = services.run_expenditure_import(import_id=job.pk)
        finally:
            connections.close_all()

    def abort() -> None:
        importing.wait(timeout=10)
        try:
            services.abandon_import(expenditure_import=job, user=world.middelburg.finance_officer)
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
