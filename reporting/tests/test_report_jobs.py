import datetime
from decimal import Decimal

import pytest
from celery.exceptions import Retry
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage

from accounts.factories import MunicipalityFactory
from finance.models import YearClosing
from finance.services import create_expenditure
from plans.factories import goal
from reporting import services, tasks
from reporting.models import AccountabilityReport, ReportStatus


def start(hand_made, capture, year=2022):
    with capture(execute=True):
        report = services.start_report(
            municipality=hand_made.municipality, year=year, user=hand_made.finance_officer
        )
    report.refresh_from_db()
    return report


def test_a_finished_report_stores_both_files_with_checksums_and_data_version(
    hand_made, django_capture_on_commit_callbacks
):
    report = start(hand_made, django_capture_on_commit_callbacks)
    assert report.status == ReportStatus.DONE
    assert report.task_id
    assert report.finished_at and report.started_at
    assert report.pdf.name.endswith("NPO-GM0687-2022-v1.pdf")
    assert default_storage.exists(report.xlsx.name)
    assert len(report.pdf_sha256) == len(report.data_version) == 64
    assert report.history.count() >= 2


def test_a_done_report_is_not_rebuilt(hand_made, django_capture_on_commit_callbacks):
    report = start(hand_made, django_capture_on_commit_callbacks)
    assert tasks.build_report.delay(report.pk).get() is None
    again = AccountabilityReport.objects.get(pk=report.pk)
    assert (again.pdf.name, again.pdf_sha256, again.finished_at) == (
        report.pdf.name,
        report.pdf_sha256,
        report.finished_at,
    )


def test_a_failing_render_is_retried_then_fails_with_reason_and_no_file(
    hand_made, django_capture_on_commit_callbacks, monkeypatch
):
    def broken(data, meta):
        raise OSError("font cache unavailable")

    monkeypatch.setattr(services, "render_report_pdf", broken)
    with django_capture_on_commit_callbacks(execute=False):
        report = services.start_report(
            municipality=hand_made.municipality, year=2022, user=hand_made.finance_officer
        )
    with pytest.raises(Retry):
        tasks.build_report.apply(args=[report.pk])
    report.refresh_from_db()
    # Between tries it waits again: "rendering" with no worker holding it would be ended as
    # a report whose worker died (npo_portal.jobs.sweep).
    assert (report.status, report.failure_reason) == (ReportStatus.QUEUED, "")
    with pytest.raises(OSError):
        tasks.build_report.apply(args=[report.pk], retries=tasks.build_report.max_retries)
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED
    assert "font cache unavailable" in report.failure_reason
    assert not report.pdf and not report.xlsx
    assert not default_storage.exists("reports")


def test_a_failure_while_saving_removes_the_files_already_written(
    hand_made, django_capture_on_commit_callbacks, monkeypatch
):
    original = AccountabilityReport.save

    def failing_save(self, *args, **kwargs):
        if self.status == ReportStatus.DONE:
            raise RuntimeError("database went away")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(AccountabilityReport, "save", failing_save)
    with pytest.raises(Retry):
        start(hand_made, django_capture_on_commit_callbacks)
    assert default_storage.listdir("reports/pdf")[1] == []
    assert default_storage.listdir("reports/xlsx")[1] == []
    assert not AccountabilityReport.objects.get().pdf


def test_final_report_closes_the_year_and_refuses_expenditures_in_it(
    hand_made, world, django_capture_on_commit_callbacks
):
    report = start(hand_made, django_capture_on_commit_callbacks)
    services.mark_final(report=report, user=hand_made.finance_officer)
    assert YearClosing.objects.filter(municipality=hand_made.municipality, year=2022).exists()
    with pytest.raises(ValidationError, match="Het jaar 2022 is afgesloten"):
        create_expenditure(
            municipality=hand_made.municipality,
            user=hand_made.finance_officer,
            date=datetime.date(2022, 12, 1),
            amount=Decimal("10.00"),
            goal=goal("bovenschools"),
            description="Te laat geboekt",
        )
    with pytest.raises(ValidationError, match="is definitief"):
        services.start_report(
            municipality=hand_made.municipality, year=2022, user=hand_made.finance_officer
        )


def test_reopening_allows_a_new_version_and_keeps_both(
    hand_made, world, django_capture_on_commit_callbacks
):
    first = start(hand_made, django_capture_on_commit_callbacks)
    services.mark_final(report=first, user=hand_made.finance_officer)
    with pytest.raises(ValidationError):
        services.reopen(report=first, user=world.functional_admin, reason="  ")
    reopening = services.reopen(
        report=first, user=world.functional_admin, reason="Accountant vond een dubbele boeking"
    )
    assert reopening.final_report == first
    assert not YearClosing.objects.filter(municipality=hand_made.municipality, year=2022).exists()
    second = start(hand_made, django_capture_on_commit_callbacks)
    assert second.version == 2
    second = services.mark_final(report=second, user=hand_made.finance_officer)
    first.refresh_from_db()
    assert first.is_final and first.reopened_at and default_storage.exists(first.pdf.name)
    assert second.is_final and default_storage.exists(second.pdf.name)


def test_only_the_latest_finished_version_can_be_marked_final(
    hand_made, django_capture_on_commit_callbacks
):
    first = start(hand_made, django_capture_on_commit_callbacks)
    start(hand_made, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError, match="nieuwste versie"):
        services.mark_final(report=first, user=hand_made.finance_officer)


def test_a_batch_queues_one_report_per_municipality_existing_in_the_year(
    world, only_the_world_exists, django_capture_on_commit_callbacks
):
    MunicipalityFactory(code="GM0001", name="Opgeheven", valid_until=datetime.date(2021, 12, 31))
    MunicipalityFactory(code="GM0002", name="Nieuw", valid_from=datetime.date(2022, 1, 1))
    with django_capture_on_commit_callbacks(execute=True):
        batch = services.start_batch(year=2022, user=world.functional_admin)
    codes = set(batch.reports.values_list("municipality__code", flat=True))
    assert codes == {"GM0687", "GM0718", "GM0002"}
    assert set(batch.reports.values_list("status", flat=True)) == {ReportStatus.DONE}


def test_the_command_writes_each_format(hand_made, tmp_path):
    from django.core.management import call_command

    for file_format, magic in (("pdf", b"%PDF"), ("xlsx", b"PK"), ("html", b"<!DOCTYPE")):
        output = tmp_path / f"rapport.{file_format}"
        call_command(
            "build_accountability_report",
            municipality="GM0687",
            year=2022,
            format=file_format,
            output=output,
        )
        assert output.read_bytes().startswith(magic)


def test_the_batch_command_follows_the_batch_until_it_ends(
    world, only_the_world_exists, capsys, django_capture_on_commit_callbacks, monkeypatch
):
    from django.core.management import call_command

    from reporting.management.commands import build_accountability_reports

    # The test's transaction never commits: start the batch's tasks as the command starts it.
    start_batch = services.start_batch

    def start_and_run(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return start_batch(**kwargs)

    monkeypatch.setattr(build_accountability_reports.services, "start_batch", start_and_run)
    call_command("build_accountability_reports", year=2022, interval=0)
    out = capsys.readouterr().out
    assert "100%" in out.splitlines()[-1]
