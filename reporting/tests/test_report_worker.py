import hashlib

import pytest
from django.urls import reverse

from reporting import services
from reporting.models import AccountabilityReport, ReportStatus
from reporting.tests.conftest import hand_made_data
from tests.test_faults import wait_for
from tests.world import build_world

ENDED = (ReportStatus.DONE, ReportStatus.FAILED)

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


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
    # Jobs are sent without a result (npo_portal.queueing): the report's row is the outcome.
    report = wait_for(
        lambda: AccountabilityReport.objects.filter(pk=report.pk, status__in=ENDED).first(),
        timeout=120,
        what="the report to end",
    )
    assert report.status == ReportStatus.DONE
    client.force_login(hand_made.finance_officer)
    download = client.get(reverse("reporting:report-pdf", args=["GM0687", report.pk]))
    content = b"".join(download.streaming_content)
    assert content.startswith(b"%PDF")
    assert hashlib.sha256(content).hexdigest() == report.pdf_sha256
    report.pdf.delete(save=False)
    report.xlsx.delete(save=False)
