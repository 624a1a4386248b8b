"""Files on an S3-protocol server (moto's, on 127.0.0.1): uploads and reports are written to
the bucket and read back from it, by this process and by a worker process, and nothing is
left under MEDIA_ROOT. Several web and worker machines can then share them."""

import hashlib
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from finance.models import Expenditure, ExpenditureImport, ImportStatus
from finance.services import start_expenditure_import
from finance.tasks import run_expenditure_import
from finance.tests.conftest import csv_bytes
from npo_portal.storage import local_path
from reporting import services as reporting
from reporting.models import AccountabilityReport, ReportStatus
from reporting.tests.conftest import hand_made_data
from tests.test_faults import wait_for
from tests.world import build_world


def files_under(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


@pytest.mark.django_db
def test_an_upload_and_a_report_live_in_the_bucket_and_not_under_media_root(
    client, world, s3, settings, django_capture_on_commit_callbacks
):
    hand_made = hand_made_data(world.middelburg)
    municipality = hand_made.municipality
    client.force_login(hand_made.finance_officer)
    data = csv_bytes("01-02-2023;500;1;;Zomerschool;Z;F-1")

    # The upload waits in the bucket until the import task runs.
    with django_capture_on_commit_callbacks(execute=False) as queued:
        client.post(
            reverse("finance:import", kwargs={"code": municipality.code}),
            {"file": SimpleUploadedFile("uitgaven.csv", data, content_type="text/csv")},
        )
    job = ExpenditureImport.objects.get()
    assert s3.names() == [job.upload.name]
    assert s3.read(job.upload.name) == data
    with django_capture_on_commit_callbacks(execute=True):
        for callback in queued:
            callback()
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE, job.messages
    assert Expenditure.objects.filter(invoice_number="F-1").count() == 1
    assert s3.names() == []  # deleted once imported

    with django_capture_on_commit_callbacks(execute=True):
        report = reporting.start_report(
            municipality=municipality, year=2022, user=hand_made.finance_officer
        )
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE
    assert s3.names() == sorted([report.pdf.name, report.xlsx.name])
    download = client.get(reverse("reporting:report-pdf", args=[municipality.code, report.pk]))
    content = b"".join(download.streaming_content)
    assert content.startswith(b"%PDF")
    assert content == s3.read(report.pdf.name)
    assert hashlib.sha256(content).hexdigest() == report.pdf_sha256
    assert files_under(Path(settings.MEDIA_ROOT)) == []


@pytest.mark.django_db
def test_a_reader_gets_a_temporary_copy_of_an_object_that_is_gone_afterwards(s3):
    name = default_storage.save("imports/probe.csv", SimpleUploadedFile("p.csv", b"a;b\n1;2\n"))
    with local_path(default_storage, name) as path:
        assert path.read_bytes() == b"a;b\n1;2\n"
    assert not path.exists()
    assert s3.names() == [name]


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_process_imports_from_and_writes_reports_to_the_bucket(
    client, reference_data, celery_worker_s3, s3, settings
):
    world = build_world()
    hand_made = hand_made_data(world.middelburg)
    municipality = hand_made.municipality

    job = start_expenditure_import(
        municipality=municipality,
        user=hand_made.finance_officer,
        file_name="uitgaven.csv",
        data=csv_bytes("01-02-2023;750,00;1;;Bijles;B;F-9"),
    )
    upload = job.upload.name
    assert upload.startswith("imports/")
    assert files_under(Path(settings.MEDIA_ROOT)) == []  # not written beside the portal
    # The task is on the queue already (no transaction here): the worker may have ended the
    # import, and deleted the upload, before a listing of the bucket here. The solo worker
    # takes a second delivery only after the first, so its result means the import has
    # ended. The worker's MEDIA_ROOT and the portal's are empty: the worker can only have
    # read the upload from the bucket.
    run_expenditure_import.delay(job.pk).get(timeout=60)
    assert upload not in s3.names()  # deleted once the import ended
    report = reporting.start_report(
        municipality=municipality, year=2023, user=hand_made.finance_officer
    )
    report.refresh_from_db()
    # Jobs are sent without a result (npo_portal.queueing): the report's row is the outcome.
    wait_for(
        lambda: AccountabilityReport.objects.filter(
            pk=report.pk, status__in=(ReportStatus.DONE, ReportStatus.FAILED)
        ).exists(),
        timeout=120,
        what="the report to end",
    )
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE, job.messages
    assert Expenditure.objects.filter(invoice_number="F-9").count() == 1

    report = AccountabilityReport.objects.get(pk=report.pk)
    assert report.status == ReportStatus.DONE
    assert s3.names() == sorted([report.pdf.name, report.xlsx.name])
    client.force_login(hand_made.finance_officer)
    download = client.get(reverse("reporting:report-xlsx", args=[municipality.code, report.pk]))
    content = b"".join(download.streaming_content)
    assert content == s3.read(report.xlsx.name)
    assert hashlib.sha256(content).hexdigest() == report.xlsx_sha256
    assert files_under(Path(settings.MEDIA_ROOT)) == []
    assert files_under(celery_worker_s3) == []
