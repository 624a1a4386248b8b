"""Reports no worker will finish end failed and say why (npo_portal.jobs.sweep)."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from npo_portal import jobs
from reporting.factories import AccountabilityReportFactory
from reporting.models import ReportStatus

pytestmark = pytest.mark.django_db


def test_a_rendering_report_no_worker_holds_ends_failed_and_one_held_is_left_alone(world):
    if connection.vendor != "postgresql":
        pytest.skip("Which worker holds a job needs PostgreSQL's advisory locks.")
    orphan = AccountabilityReportFactory(
        municipality=world.middelburg.municipality, status=ReportStatus.RUNNING
    )
    busy = AccountabilityReportFactory(
        municipality=world.vlissingen.municipality, status=ReportStatus.RUNNING
    )
    with jobs.working_on("report", busy.pk):
        assert jobs.sweep("report") == [orphan.pk]
    orphan.refresh_from_db()
    busy.refresh_from_db()
    assert orphan.status == ReportStatus.FAILED
    assert "de worker die dit rapport maakte is gestopt" in orphan.failure_reason
    assert busy.status == ReportStatus.RUNNING


def test_a_report_no_worker_took_in_time_ends_failed(world, settings):
    settings.REPORT_QUEUE_TIMEOUT_MINUTES = 60
    old = AccountabilityReportFactory(municipality=world.middelburg.municipality)
    fresh = AccountabilityReportFactory(municipality=world.vlissingen.municipality)
    old.created_at = timezone.now() - datetime.timedelta(minutes=61)
    old.save(update_fields=["created_at"])
    assert jobs.sweep("report") == [old.pk]
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert old.status == ReportStatus.FAILED and "binnen 60 minuten" in old.failure_reason
    assert fresh.status == ReportStatus.QUEUED
    assert jobs.sweep("report") == []
