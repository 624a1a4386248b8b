import hashlib
from importlib import import_module

import pytest
from celery.result import AsyncResult
from django.apps import apps
from django.urls import reverse

from plans.models import Programme
from reporting import services
from reporting.models import AccountabilityReport, ReportStatus
from reporting.tests.conftest import hand_made_data, reload_sisa_defaults
from tests.world import build_world

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def reference_data(transactional_db):
    """Earlier transactional tests flush what the data migrations loaded (programme, goals,
    payment schedule, SiSa defaults); load it again the way the migrations do."""
    if not Programme.objects.exists():
        for module in (
            "plans.migrations.0003_reference_data",
            "finance.migrations.0002_payment_schedule",
        ):
            import_module(module).load(apps, None)
    reload_sisa_defaults()


def test_a_report_is_built_by_the_real_worker_and_downloaded(
    client, celery_worker_process, reference_data
):
    world = build_world()
    hand_made = hand_made_data(world.middelburg)
    report = services.start_report(
        municipality=hand_made.municipality, year=2022, user=hand_made.finance_officer
    )
    report.refresh_from_db()
    assert report.task_id
    AsyncResult(report.task_id).get(timeout=120)
    report = AccountabilityReport.objects.get(pk=report.pk)
    assert report.status == ReportStatus.DONE
    client.force_login(hand_made.finance_officer)
    download = client.get(reverse("reporting:report-pdf", args=["GM0687", report.pk]))
    content = b"".join(download.streaming_content)
    assert content.startswith(b"%PDF")
    assert hashlib.sha256(content).hexdigest() == report.pdf_sha256
    report.pdf.delete(save=False)
    report.xlsx.delete(save=False)
