"""Uploaded files are judged by content and size, and never land where the web server serves."""

import os
import time
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from finance.models import ExpenditureImport, ImportStatus
from finance.services import fail_stuck_imports, start_expenditure_import
from schools.models import School

NOT_A_TABLE = "Het bestand is een PNG-bestand, geen spreadsheet (XLSX) of CSV-bestand."
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64


def test_school_registry_larger_than_the_limit_is_refused(client, world, monkeypatch):
    monkeypatch.setattr("npo_portal.storage.MAX_IMPORT_BYTES", 1024 * 1024)
    client.force_login(world.functional_admin)
    schools = School.objects.count()
    upload = SimpleUploadedFile("scholen.csv", b"brin;vestiging;naam\n" * 60_000)
    response = client.post(reverse("schools:school-import"), {"file": upload})
    assert "Het bestand is groter dan 1 MB." in response.content.decode()
    assert School.objects.count() == schools


def test_an_image_named_csv_is_refused_as_school_registry(client, world):
    client.force_login(world.functional_admin)
    upload = SimpleUploadedFile("scholen.csv", PNG, content_type="text/csv")
    response = client.post(reverse("schools:school-import"), {"file": upload})
    assert NOT_A_TABLE in response.content.decode()


def test_expenditure_upload_larger_than_the_limit_is_refused(client, world, monkeypatch):
    monkeypatch.setattr("npo_portal.storage.MAX_IMPORT_BYTES", 10)
    municipality = world.middelburg.municipality
    client.force_login(world.middelburg.finance_officer)
    upload = SimpleUploadedFile("uitgaven.csv", b"datum;bedrag\n" * 5)
    response = client.post(
        reverse("finance:import", kwargs={"code": municipality.code}), {"file": upload}
    )
    assert response.status_code == 200
    assert not ExpenditureImport.objects.exists()


def test_an_image_named_csv_is_rejected_by_the_expenditure_import_and_not_kept(
    client, world, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    municipality = world.middelburg.municipality
    client.force_login(world.middelburg.finance_officer)
    upload = SimpleUploadedFile("uitgaven.csv", PNG, content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("finance:import", kwargs={"code": municipality.code}),
            {"file": upload},
            follow=True,
        )
    job = ExpenditureImport.objects.get()
    assert job.status == ImportStatus.REJECTED
    assert job.messages == [NOT_A_TABLE]
    assert not job.upload  # the upload's file is deleted once it is processed
    assert not [path for path in tmp_path.rglob("*") if path.is_file()]  # nothing kept
    assert "uitgaven.csv" in response.content.decode()


def test_an_upload_file_no_import_refers_to_is_deleted_by_the_beat_task(world, tmp_path, settings):
    """A file whose record was rolled back (or whose process died before the record) is
    swept once it is older than the import timeout; a waiting upload's file stays."""
    settings.MEDIA_ROOT = tmp_path
    settings.EXPENDITURE_IMPORT_TIMEOUT_MINUTES = 30
    # Inside the test's transaction the task is never sent: the upload stays waiting.
    waiting = start_expenditure_import(
        municipality=world.middelburg.municipality,
        user=world.middelburg.finance_officer,
        file_name="uitgaven.csv",
        data=b"datum;bedrag\n",
    )
    orphan = tmp_path / "imports" / "verweesd.upload"
    orphan.write_bytes(b"x")
    recent = tmp_path / "imports" / "net-geschreven.upload"
    recent.write_bytes(b"x")
    an_hour_ago = time.time() - 3600
    for path in (orphan, Path(waiting.upload.path)):
        os.utime(path, (an_hour_ago, an_hour_ago))
    fail_stuck_imports()
    assert not orphan.exists()
    assert recent.exists()  # may belong to an upload being saved right now
    assert Path(waiting.upload.path).exists()
