"""An archive package is a background job like a report or an import: the one sweeper
(npo_portal.jobs.sweep) ends it when its worker died or no worker took it, with its reason in
Dutch on its page."""

import datetime

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from archive import services
from archive.models import ArchivePackage, PackageStatus
from npo_portal import jobs

pytestmark = pytest.mark.django_db


def package(municipality, status=PackageStatus.QUEUED, **fields) -> ArchivePackage:
    return ArchivePackage.objects.create(municipality=municipality, status=status, **fields)


def test_a_building_package_no_worker_holds_ends_failed_and_one_held_is_left_alone(client, world):
    if connection.vendor != "postgresql":
        pytest.skip("Which worker holds a job needs PostgreSQL's advisory locks.")
    orphan = package(world.middelburg.municipality, PackageStatus.RUNNING)
    busy = package(world.vlissingen.municipality, PackageStatus.RUNNING)
    with jobs.working_on("archive-package", busy.pk):
        assert jobs.sweep("archive-package") == [orphan.pk]
    orphan.refresh_from_db()
    busy.refresh_from_db()
    assert orphan.status == PackageStatus.FAILED and orphan.finished_at is not None
    assert "de worker die dit archiefpakket maakte is gestopt" in orphan.failure_reason
    assert busy.status == PackageStatus.RUNNING
    assert jobs.sweep("archive-package") == [busy.pk]  # its worker let go without an outcome
    client.force_login(world.functional_admin)
    page = client.get(reverse("archive:package-list", args=["GM0687"])).content.decode()
    assert "Mislukt" in page and "vraag het pakket opnieuw aan" in page


def test_a_package_no_worker_took_in_time_ends_failed_and_a_fresh_one_waits(world, settings):
    settings.REPORT_QUEUE_TIMEOUT_MINUTES = 60
    old = package(
        world.middelburg.municipality, created_at=timezone.now() - datetime.timedelta(minutes=61)
    )
    fresh = package(world.vlissingen.municipality)
    assert jobs.sweep("archive-package") == [old.pk]
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert old.status == PackageStatus.FAILED and "binnen 60 minuten" in old.failure_reason
    assert fresh.status == PackageStatus.QUEUED
    assert jobs.sweep("archive-package") == []  # a second run changes nothing


def test_a_late_delivery_of_a_failed_package_builds_nothing(world):
    failed = package(world.middelburg.municipality, PackageStatus.FAILED, failure_reason="x")
    assert services.build_package(package_id=failed.pk) is None
    failed.refresh_from_db()
    assert (failed.status, failed.file.name, failed.failure_reason) == (
        PackageStatus.FAILED,
        "",
        "x",
    )


def test_between_two_tries_a_package_waits_again_and_is_not_swept(world):
    trying = package(world.middelburg.municipality, PackageStatus.RUNNING)
    services.requeue_for_retry(package_id=trying.pk)
    assert jobs.sweep("archive-package") == []
    trying.refresh_from_db()
    assert trying.status == PackageStatus.QUEUED
