"""Say when no worker consumes: each queue's depth and oldest waiting job in /health/ and
on the admin's index, and the job's own page when it waits longer than expected."""

import datetime
import uuid

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from archive.models import ArchivePackage
from finance.models import ExpenditureImport
from npo_portal.celery import app as celery_app
from npo_portal.celery import queue_names
from npo_portal.queueing import enqueue
from reporting.factories import AccountabilityReportFactory

needs_redis = pytest.mark.skipif(
    not settings.CELERY_BROKER_URL, reason="no broker configured (REDIS_URL)"
)


@pytest.fixture
def unconsumed_queues(settings):
    """The real broker, on queues of this test's own that no worker listens to."""
    conf = celery_app.conf
    before = (conf.task_always_eager, conf.task_default_queue)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    conf.task_always_eager = False
    conf.task_default_queue = f"npo-depth-{uuid.uuid4().hex[:10]}"
    try:
        yield conf.task_default_queue
    finally:
        names = queue_names()
        conf.task_always_eager, conf.task_default_queue = before
        with celery_app.connection_for_write() as connection:
            connection.default_channel.client.delete(*names)


@needs_redis
@pytest.mark.django_db(transaction=True)
def test_health_and_the_admin_show_work_no_worker_takes(client, world, settings, unconsumed_queues):
    settings.QUEUE_STALLED_SECONDS = 3600
    for user_id in (1, 2):
        enqueue("accounts.tasks.send_invitation", user_id)  # outside a transaction: sent now
    body = client.get("/health/").json()
    waiting = body["queues"][unconsumed_queues]
    assert waiting["waiting"] == 2
    assert 0 <= waiting["oldest_waiting_seconds"] < 60
    assert body["queues"][f"{unconsumed_queues}-reports"] == {
        "waiting": 0,
        "oldest_waiting_seconds": None,
        "stalled": False,
    }
    assert (body["status"], body["workers"]) == ("ok", "ok")

    settings.QUEUE_STALLED_SECONDS = -1  # as if the oldest had waited past the limit
    body = client.get("/health/").json()
    assert body["queues"][unconsumed_queues]["stalled"] is True
    assert body["workers"] == "stalled"
    client.force_login(world.functional_admin)
    index = client.get(reverse("admin:index")).content.decode()
    assert unconsumed_queues in index
    assert "Geen worker neemt dit werk op" in index


@pytest.mark.django_db
def test_an_import_waiting_longer_than_expected_says_probably_no_worker_runs(client, world):
    municipality = world.middelburg.municipality
    job = ExpenditureImport.objects.create(
        municipality=municipality, file_name="wacht.csv", size=1, sha256="0" * 64
    )
    page = reverse("finance:import-detail", kwargs={"code": municipality.code, "pk": job.pk})
    client.force_login(world.middelburg.finance_officer)
    assert "waarschijnlijk draait er geen worker" not in client.get(page).content.decode()
    ExpenditureImport.objects.filter(pk=job.pk).update(
        created_at=timezone.now()
        - datetime.timedelta(seconds=settings.JOB_EXPECTED_WAIT_SECONDS + 1)
    )
    assert "waarschijnlijk draait er geen worker" in client.get(page).content.decode()


@pytest.mark.django_db
def test_a_report_waiting_longer_than_expected_says_probably_no_worker_runs(client, world):
    municipality = world.middelburg.municipality
    report = AccountabilityReportFactory(municipality=municipality)
    page = reverse("reporting:report-list", kwargs={"code": municipality.code})
    client.force_login(world.middelburg.finance_officer)
    assert "langer dan verwacht" not in client.get(page).content.decode()
    report.created_at = timezone.now() - datetime.timedelta(minutes=5)
    report.save(update_fields=["created_at"])
    assert "langer dan verwacht: waarschijnlijk draait er geen worker" in (
        client.get(page).content.decode()
    )


@pytest.mark.django_db
def test_an_archive_package_waiting_longer_than_expected_says_probably_no_worker_runs(
    client, world
):
    municipality = world.middelburg.municipality
    package = ArchivePackage.objects.create(municipality=municipality)
    page = reverse("archive:package-list", kwargs={"code": municipality.code})
    client.force_login(world.middelburg.finance_officer)
    assert "langer dan verwacht" not in client.get(page).content.decode()
    ArchivePackage.objects.filter(pk=package.pk).update(
        created_at=timezone.now()
        - datetime.timedelta(seconds=settings.JOB_EXPECTED_WAIT_SECONDS + 1)
    )
    assert "langer dan verwacht: waarschijnlijk draait er geen worker" in (
        client.get(page).content.decode()
    )
