"""Uploaded files are judged by content and size, and never land where the web server serves."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from finance.models import ExpenditureImport, ImportStatus
from schools.forms import SchoolImportForm

NOT_A_TABLE = "Het bestand is een PNG-bestand, geen spreadsheet (XLSX) of CSV-bestand."
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64


def test_school_registry_larger_than_the_limit_is_refused(client, world, monkeypatch):
    monkeypatch.setattr(SchoolImportForm, "MAX_BYTES", 10)
    client.force_login(world.functional_admin)
    upload = SimpleUploadedFile("scholen.csv", b"brin;vestiging;naam\n" * 5)
    response = client.post(reverse("schools:school-import"), {"file": upload})
    assert "Het bestand is groter dan 5 MB." in response.content.decode()


def test_an_image_named_csv_is_refused_as_school_registry(client, world):
    client.force_login(world.functional_admin)
    upload = SimpleUploadedFile("scholen.csv", PNG, content_type="text/csv")
    response = client.post(reverse("schools:school-import"), {"file": upload})
    assert "Dit is geen tekstbestand" in response.content.decode()


def test_expenditure_upload_larger_than_the_limit_is_refused(client, world, monkeypatch):
    monkeypatch.setattr("finance.forms.MAX_IMPORT_BYTES", 10)
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
