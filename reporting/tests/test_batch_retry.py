"""Queuing a batch's failed reports again, and counting a batch per municipality."""

import pytest
from django.urls import reverse

from reporting import services
from reporting.factories import AccountabilityReportFactory, ReportBatchFactory
from reporting.models import ReportStatus
from reporting.selectors import batch_summary


@pytest.fixture
def batch(world):
    """Middelburg's report in the batch failed, Vlissingen's is done."""
    batch = ReportBatchFactory(year=2022, created_by=world.functional_admin)
    AccountabilityReportFactory(
        municipality=world.middelburg.municipality,
        batch=batch,
        status=ReportStatus.FAILED,
        failure_reason="OSError: font cache unavailable",
        explanation="Toelichting bij de reeks",
    )
    AccountabilityReportFactory(municipality=world.vlissingen.municipality, batch=batch, done=True)
    return batch


def retry(batch, user, capture):
    with capture(execute=False) as callbacks:
        outcome = services.retry_failed(batch=batch, user=user)
    return outcome, callbacks


def test_only_the_failed_reports_of_the_batch_are_queued_again(
    world, batch, django_capture_on_commit_callbacks
):
    outcome, callbacks = retry(batch, world.functional_admin, django_capture_on_commit_callbacks)
    [report] = outcome.queued
    assert (report.municipality, report.version, report.batch) == (
        world.middelburg.municipality,
        2,
        batch,
    )
    assert (report.status, report.explanation) == (ReportStatus.QUEUED, "Toelichting bij de reeks")
    assert report.created_by == world.functional_admin
    assert outcome.refused == []
    assert len(callbacks) == 1  # its task starts after the commit
    assert batch.reports.count() == 3


def test_pressing_twice_queues_nothing_more_while_the_retry_is_pending(
    world, batch, django_capture_on_commit_callbacks
):
    first, _ = retry(batch, world.functional_admin, django_capture_on_commit_callbacks)
    [queued] = first.queued
    second, callbacks = retry(batch, world.functional_admin, django_capture_on_commit_callbacks)
    assert (second.queued, second.refused, callbacks) == ([], [], [])
    queued.status = ReportStatus.RUNNING
    queued.save()
    assert retry(batch, world.functional_admin, django_capture_on_commit_callbacks)[0].queued == []
    assert batch.reports.count() == 3
    # A retry that failed in its turn may be retried again.
    queued.status = ReportStatus.FAILED
    queued.save()
    third, _ = retry(batch, world.functional_admin, django_capture_on_commit_callbacks)
    assert [report.version for report in third.queued] == [3]


def test_a_year_whose_report_is_final_is_skipped_and_said(
    world, batch, django_capture_on_commit_callbacks
):
    # After the batch failed, Middelburg built and finalised version 2 on its own.
    AccountabilityReportFactory(
        municipality=world.middelburg.municipality, version=2, done=True, is_final=True
    )
    outcome, callbacks = retry(batch, world.functional_admin, django_capture_on_commit_callbacks)
    assert (outcome.queued, callbacks) == ([], [])
    [refusal] = outcome.refused
    name = world.middelburg.municipality.name
    assert refusal.startswith(f"{name}: Het rapport over 2022 is definitief (versie 2)")
    assert batch.reports.count() == 2


def test_a_failed_v1_with_a_finished_retry_counts_as_done(world, batch):
    assert batch_summary(batch_id=batch.pk).failed == 1
    AccountabilityReportFactory(
        municipality=world.middelburg.municipality, batch=batch, version=2, done=True
    )
    summary = batch_summary(batch_id=batch.pk)
    assert (summary.total, summary.done, summary.failed) == (2, 2, 0)
    assert (summary.percent, summary.finished) == (100, True)


def test_a_pending_retry_reopens_the_batch(world, batch):
    AccountabilityReportFactory(municipality=world.middelburg.municipality, batch=batch, version=2)
    summary = batch_summary(batch_id=batch.pk)
    assert (summary.total, summary.done, summary.failed, summary.ended) == (2, 1, 0, 1)
    assert (summary.percent, summary.finished) == (50, False)


def detail(batch):
    return reverse("reporting:batch-detail", args=[batch.pk])


def retry_url(batch):
    return reverse("reporting:batch-retry", args=[batch.pk])


def test_the_administrator_queues_the_failed_reports_again_from_the_batch_page(
    client, world, batch, django_capture_on_commit_callbacks
):
    client.force_login(world.functional_admin)
    page = client.get(detail(batch)).content.decode()
    assert "2 van 2 rapporten klaar, 1 mislukt" in page
    assert retry_url(batch) in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(retry_url(batch))
    assert response.url == detail(batch)
    # The worker built the retry: the municipality counts once, as done.
    page = client.get(detail(batch)).content.decode()
    assert "1 mislukt rapport staat opnieuw in de wachtrij." in page
    retried = batch.reports.get(version=2)
    assert retried.status == ReportStatus.DONE, retried.failure_reason
    assert "2 van 2 rapporten klaar, 0 mislukt" in page
    assert retry_url(batch) not in page
    listing = client.get(reverse("reporting:batch-list")).content.decode()
    assert '<td class="text-end">2</td><td class="text-end">2</td><td class="text-end">0</td>' in (
        listing
    )
    again = client.post(retry_url(batch), follow=True).content.decode()
    assert "Er zijn geen mislukte rapporten om opnieuw in de wachtrij te zetten." in again
    assert batch.reports.count() == 3


def test_the_page_says_which_final_years_were_not_queued_again(
    client, world, batch, django_capture_on_commit_callbacks
):
    AccountabilityReportFactory(
        municipality=world.middelburg.municipality, version=2, done=True, is_final=True
    )
    client.force_login(world.functional_admin)
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(retry_url(batch), follow=True).content.decode()
    name = world.middelburg.municipality.name
    assert f"Niet opnieuw in de wachtrij gezet: {name}: Het rapport over 2022" in page


def test_retrying_is_a_post(client, world, batch):
    client.force_login(world.functional_admin)
    assert client.get(retry_url(batch)).status_code == 405


@pytest.mark.parametrize("role", ["policy_officer", "finance_officer", "board_user"])
def test_only_the_functional_administrator_retries(client, world, batch, role):
    client.force_login(getattr(world.middelburg, role))
    assert client.post(retry_url(batch)).status_code == 403
    assert batch.reports.count() == 2
