"""A worker killed whole (SIGKILL of its main process and its pool process, as when a
container or machine goes away) in the middle of a report and of an import. Before, the job
stayed "bezig" for at least the broker's visibility timeout (an hour by default).

Now the task holds a PostgreSQL advisory lock on its job (npo_portal.jobs); the dead
worker's connection closes and the lock goes with it. The next worker that starts ends every
job left "running" without a lock (worker_ready), and Celery beat does the same every
minute without a new worker. The bound this test holds the portal to: the job has ended,
failed with its reason, within WORKER_DEATH_BOUND seconds of the kill, replacement worker's
start-up included. The message the dead worker had taken is handed out again after the
visibility timeout and then changes nothing.

An archive package, the third kind of job, is held and swept the same way.

    .venv/bin/python -m pytest tests/test_worker_death.py -s -p no:randomly -q
"""

from __future__ import annotations

import os
import signal
import time

import pytest
from django.urls import reverse

from archive.models import ArchivePackage, PackageStatus
from archive.services import request_package
from archive.tasks import build_archive_package
from archive.tests.conftest import build_dossier
from finance.models import Expenditure, ExpenditureImport, ImportStatus
from finance.services import start_expenditure_import
from npo_portal.celery import app as celery_app
from plans.factories import PlanVersionFactory
from reporting import services as report_services
from reporting.models import AccountabilityReport, ReportStatus
from reporting.tasks import build_report
from reporting.tests.conftest import hand_made_data
from tests.hostile_files import GOOD_ROW, csv_file
from tests.test_faults import children, own_queues, start_worker, stop, wait_for  # noqa: F401
from tests.world import build_world

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data", "own_queues"),
]

# Kill to "failed" on the job's page, a new worker's start-up (about 3 to 8 s here) included.
WORKER_DEATH_BOUND = 20


def kill_whole(worker) -> float:
    """SIGKILL the main process and its pool process; returns the moment."""
    pool = children(worker.pid)
    os.kill(worker.pid, signal.SIGKILL)
    for pid in pool:
        os.kill(pid, signal.SIGKILL)
    worker.wait()
    return time.monotonic()


def test_a_report_whose_worker_is_killed_whole_ends_failed_when_a_worker_starts(
    client, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    queue = celery_app.conf.task_default_queue  # this test's own (fixture own_queues)
    world = build_world()
    hand_made = hand_made_data(world.middelburg)
    worker = start_worker(queue, tmp_path)
    replacement = None
    try:
        report = report_services.start_report(
            municipality=hand_made.municipality, year=2022, user=hand_made.finance_officer
        )
        wait_for(
            lambda: AccountabilityReport.objects.filter(
                pk=report.pk, status=ReportStatus.RUNNING, progress="PDF maken"
            ).exists(),
            timeout=60,
            what="the report to be rendering",
        )
        killed = kill_whole(worker)
        replacement = start_worker(queue, tmp_path)
        ended = wait_for(
            lambda: AccountabilityReport.objects.filter(
                pk=report.pk, status=ReportStatus.FAILED
            ).first(),
            timeout=WORKER_DEATH_BOUND,
            what="the report to end",
        )
        print(f"\nreport: killed → failed in {time.monotonic() - killed:.1f} s")
        assert "stopped" in ended.failure_reason or "gestopt" in ended.failure_reason
        assert not ended.pdf and not ended.xlsx
        assert not any(path.is_file() for path in tmp_path.rglob("*"))
        client.force_login(hand_made.finance_officer)
        page = client.get(reverse("reporting:report-list", args=["GM0687"]))
        assert "de worker die dit rapport maakte is gestopt" in page.content.decode()
        # The dead worker's message, handed out again after the visibility timeout: nothing.
        assert build_report.apply(args=[report.pk]).get() is None
        assert AccountabilityReport.objects.get(pk=report.pk).status == ReportStatus.FAILED
    finally:
        for process in (worker, replacement):
            if process is not None and process.poll() is None:
                stop(process)


def many_rows(count: int) -> bytes:
    return csv_file(*(GOOD_ROW.replace("F-1", f"F-{number}") for number in range(count)))


def test_an_import_whose_worker_is_killed_whole_ends_failed_when_a_worker_starts(
    client, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    queue = celery_app.conf.task_default_queue  # this test's own (fixture own_queues)
    world = build_world()
    hand_made = hand_made_data(world.middelburg)
    recorded = Expenditure.objects.count()
    worker = start_worker(queue, tmp_path)
    replacement = None
    try:
        job = start_expenditure_import(
            municipality=hand_made.municipality,
            user=hand_made.finance_officer,
            file_name="groot.csv",
            data=many_rows(40_000),
        )
        wait_for(
            lambda: ExpenditureImport.objects.filter(
                pk=job.pk, status=ImportStatus.RUNNING
            ).exists(),
            timeout=60,
            what="the import to run",
        )
        killed = kill_whole(worker)
        replacement = start_worker(queue, tmp_path)
        ended = wait_for(
            lambda: ExpenditureImport.objects.filter(pk=job.pk, status=ImportStatus.FAILED).first(),
            timeout=WORKER_DEATH_BOUND,
            what="the import to end",
        )
        print(f"\nimport: killed → failed in {time.monotonic() - killed:.1f} s")
        assert ended.upload.name == ""
        assert "gestopt" in " ".join(ended.messages)
        assert Expenditure.objects.count() == recorded  # all or nothing: nothing
    finally:
        for process in (worker, replacement):
            if process is not None and process.poll() is None:
                stop(process)


def test_an_archive_package_whose_worker_is_killed_whole_ends_failed_when_a_worker_starts(
    client, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    queue = celery_app.conf.task_default_queue  # this test's own (fixture own_queues)
    world = build_world()
    dossier = build_dossier(world.middelburg)
    for number in range(2, 6):  # more documents to render: a build that lasts a while
        PlanVersionFactory(
            plan=dossier.intervention.plan,
            number=number,
            created_by=world.middelburg.policy_officer,
        )
    worker = start_worker(queue, tmp_path)
    replacement = None
    try:
        package = request_package(municipality=dossier.municipality, user=world.functional_admin)
        wait_for(
            lambda: ArchivePackage.objects.filter(
                pk=package.pk, status=PackageStatus.RUNNING
            ).exists(),
            timeout=60,
            what="the package to be built",
        )
        killed = kill_whole(worker)
        assert ArchivePackage.objects.get(pk=package.pk).status == PackageStatus.RUNNING
        replacement = start_worker(queue, tmp_path)
        ended = wait_for(
            lambda: ArchivePackage.objects.filter(
                pk=package.pk, status=PackageStatus.FAILED
            ).first(),
            timeout=WORKER_DEATH_BOUND,
            what="the package to end",
        )
        print(f"\narchive package: killed → failed in {time.monotonic() - killed:.1f} s")
        assert "de worker die dit archiefpakket maakte is gestopt" in ended.failure_reason
        # The dossier's own report files lie in the media folder; no package beside them.
        assert not ended.file and not any(
            path.is_file() for path in (tmp_path / "archive").rglob("*")
        )
        client.force_login(world.functional_admin)
        page = client.get(reverse("archive:package-list", args=["GM0687"]))
        assert "vraag het pakket opnieuw aan" in page.content.decode()
        # The dead worker's message, handed out again after the visibility timeout: nothing.
        assert build_archive_package.apply(args=[package.pk]).get() is None
        assert ArchivePackage.objects.get(pk=package.pk).status == PackageStatus.FAILED
    finally:
        for process in (worker, replacement):
            if process is not None and process.poll() is None:
                stop(process)
