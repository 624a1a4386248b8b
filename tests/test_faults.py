"""Faults on PostgreSQL with real Celery workers: a worker killed in the middle of a report,
and a tiny hostile workbook on the import queue with a report queued behind it.

Each test that kills a worker starts workers of its own, on queues of its own, so that the
session's worker (conftest) is not touched.
"""

import hashlib
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from finance.models import Expenditure, ImportStatus
from finance.services import start_expenditure_import
from npo_portal.celery import app as celery_app
from npo_portal.celery import queue_names
from reporting import services as report_services
from reporting.models import AccountabilityReport, ReportStatus
from reporting.tests.conftest import hand_made_data
from tests import hostile_files
from tests.world import build_world

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]

BASE_DIR = Path(__file__).resolve().parent.parent


def wait_for(condition, *, timeout: float, what: str):
    """Poll `condition` until it returns something true (a worker runs in another process,
    so there is nothing to wait on but its effect in the database)."""
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        pause.wait(0.02)
    pytest.fail(f"Waited {timeout} s for {what}")


@pytest.fixture
def own_queues(celery_worker_process):
    """A default queue of this test's own (and so its own report and import queues)."""
    before = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = f"npo-fault-{uuid.uuid4().hex[:10]}"
    yield celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = before


def start_worker(queue: str, media: Path, *queues: str) -> subprocess.Popen:
    """A prefork worker with one child on `queues` (default: all of the portal's)."""
    database = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DATABASE_URL": (
            f"postgres://{database['USER']}:{database['PASSWORD'] or ''}@"
            f"{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{database['NAME']}"
        ),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_RESULT_BACKEND": settings.CELERY_RESULT_BACKEND or settings.CELERY_BROKER_URL,
        "CELERY_QUEUE": queue,
        "MEDIA_ROOT": str(media),
    }
    name = f"{queue}-{uuid.uuid4().hex[:6]}"
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "npo_portal",
            "worker",
            "--pool=prefork",
            "--concurrency=1",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            f"--queues={','.join(queues or queue_names())}",
            f"--hostname={name}@%h",
        ],
        cwd=BASE_DIR,
        env=env,
    )
    wait_for(
        lambda: (
            any(
                key.startswith(name)
                for reply in celery_app.control.ping(timeout=0.5)
                for key in reply
            )
            or worker.poll() is not None
        ),
        timeout=60,
        what="the worker to answer a ping",
    )
    assert worker.poll() is None, "the worker exited"
    return worker


def children(pid: int) -> list[int]:
    found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in found]


def stop(worker: subprocess.Popen) -> None:
    worker.terminate()
    try:
        worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


def test_a_worker_killed_in_the_middle_of_a_report_leaves_no_file_and_the_report_is_rebuilt(
    client, own_queues, tmp_path, settings
):
    """SIGKILL of the process rendering a report (as the out-of-memory killer would): while
    it is dead nothing can be downloaded and no file lies about; acks_late and
    reject_on_worker_lost put the task back, and the next try builds the whole report."""
    settings.MEDIA_ROOT = tmp_path
    worker = start_worker(own_queues, tmp_path)
    try:
        world = build_world()
        hand_made = hand_made_data(world.middelburg)
        report = report_services.start_report(
            municipality=hand_made.municipality, year=2022, user=hand_made.finance_officer
        )
        wait_for(
            lambda: AccountabilityReport.objects.filter(
                pk=report.pk, status=ReportStatus.RUNNING, progress="PDF maken"
            ).exists(),
            timeout=120,
            what="the report to be rendering",
        )
        (child,) = children(worker.pid)
        os.kill(child, signal.SIGKILL)
        report.refresh_from_db()
        assert report.status != ReportStatus.DONE
        assert not report.pdf and not report.xlsx
        assert not any(path.is_file() for path in tmp_path.rglob("*"))
        client.force_login(hand_made.finance_officer)
        download = reverse("reporting:report-pdf", args=["GM0687", report.pk])
        assert client.get(download).status_code == 404

        # The task was not lost: it goes back on the queue and a new child builds it.
        done = wait_for(
            lambda: AccountabilityReport.objects.filter(
                pk=report.pk, status__in=(ReportStatus.DONE, ReportStatus.FAILED)
            ).first(),
            timeout=180,
            what="the report to end",
        )
        assert done.status == ReportStatus.DONE, done.failure_reason
        content = b"".join(client.get(download).streaming_content)
        assert content.startswith(b"%PDF")
        assert hashlib.sha256(content).hexdigest() == done.pdf_sha256
        files = sorted(path.name for path in tmp_path.rglob("*") if path.is_file())
        assert files == sorted([Path(done.pdf.name).name, Path(done.xlsx.name).name])
    finally:
        stop(worker)


def test_a_tiny_workbook_declaring_a_huge_sheet_does_not_hold_up_a_report(
    celery_worker_process,
):
    """The probe's 1.7 KB XLSX declaring A1:XFD1048576 ran for more than ten minutes and a
    report queued meanwhile waited behind it. Now it is refused before a row is read, on
    the import queue, and the report queued behind it is built at once."""
    world = build_world()
    hand_made = hand_made_data(world.middelburg)
    recorded = Expenditure.objects.count()
    bomb = hostile_files.declared_xlsx("A1:XFD1048576")
    assert len(bomb) < 2000
    job = start_expenditure_import(
        municipality=hand_made.municipality,
        user=hand_made.finance_officer,
        file_name="bom.xlsx",
        data=bomb,
    )
    report = report_services.start_report(
        municipality=hand_made.municipality, year=2022, user=hand_made.finance_officer
    )
    wait_for(
        lambda: AccountabilityReport.objects.filter(
            pk=report.pk, status__in=(ReportStatus.DONE, ReportStatus.FAILED)
        ).exists(),
        timeout=120,
        what="the report to end",
    )
    job.refresh_from_db()
    report.refresh_from_db()
    assert job.status == ImportStatus.REJECTED
    assert "1.048.576 rijen" in job.messages[0]
    assert (job.finished_at - job.started_at).total_seconds() < 5
    assert report.status == ReportStatus.DONE
    assert Expenditure.objects.count() == recorded
