import pytest
from django.urls import reverse

from finance.models import YearClosing
from reporting.factories import AccountabilityReportFactory
from reporting.models import AccountabilityReport, ReportStatus, YearReopening


def list_url(municipality):
    return reverse("reporting:report-list", args=[municipality.code])


def test_finance_officer_starts_a_report_and_downloads_it(
    client, hand_made, django_capture_on_commit_callbacks
):
    client.force_login(hand_made.finance_officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            list_url(hand_made.municipality), {"year": 2022, "explanation": "Alles op schema."}
        )
    assert response.status_code == 302
    report = AccountabilityReport.objects.get()
    assert (report.status, report.explanation) == (ReportStatus.DONE, "Alles op schema.")
    page = client.get(list_url(hand_made.municipality)).content.decode()
    assert "Definitief maken" in page
    assert report.identifier in page
    download = client.get(
        reverse("reporting:report-pdf", args=[hand_made.municipality.code, report.pk])
    )
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert download["Content-Disposition"] == 'attachment; filename="NPO-GM0687-2022-v1.pdf"'
    sheet = client.get(
        reverse("reporting:report-xlsx", args=[hand_made.municipality.code, report.pk])
    )
    assert sheet["Content-Disposition"].endswith('NPO-GM0687-2022-v1.xlsx"')


def test_the_status_json_reports_progress(client, world):
    report = AccountabilityReportFactory(
        municipality=world.middelburg.municipality,
        status=ReportStatus.RUNNING,
        progress="PDF maken",
    )
    client.force_login(world.middelburg.policy_officer)
    state = client.get(reverse("reporting:report-status", args=["GM0687", report.pk])).json()
    assert state == {
        "id": report.pk,
        "status": "bezig",
        "label": "Bezig",
        "progress": "PDF maken",
        "percent": 50,
        "failure_reason": "",
        "done": False,
    }
    page = client.get(list_url(world.middelburg.municipality)).content.decode()
    assert 'data-status-url="/verantwoording/GM0687/' in page
    assert "js/report-progress" in page
    assert "Verversen" in page


def test_a_pending_or_failed_report_has_no_download(client, world):
    report = AccountabilityReportFactory(
        municipality=world.middelburg.municipality,
        status=ReportStatus.FAILED,
        failure_reason="OSError",
    )
    client.force_login(world.middelburg.finance_officer)
    url = reverse("reporting:report-pdf", args=["GM0687", report.pk])
    assert client.get(url).status_code == 404


def test_policy_officer_sees_but_neither_builds_nor_finalises(client, world):
    report = AccountabilityReportFactory(municipality=world.middelburg.municipality, done=True)
    client.force_login(world.middelburg.policy_officer)
    page = client.get(list_url(world.middelburg.municipality))
    assert page.status_code == 200
    assert "Rapport maken" not in page.content.decode()
    assert client.post(list_url(world.middelburg.municipality), {"year": 2022}).status_code == 403
    finalise = reverse("reporting:report-finalise", args=["GM0687", report.pk])
    assert client.post(finalise).status_code == 403
    assert (
        client.get(reverse("reporting:report-pdf", args=["GM0687", report.pk])).status_code == 200
    )


def test_school_board_sees_no_reports(client, world):
    AccountabilityReportFactory(municipality=world.middelburg.municipality, done=True)
    client.force_login(world.middelburg.board_user)
    assert client.get(list_url(world.middelburg.municipality)).status_code in (403, 404)
    assert client.get(reverse("reporting:index")).status_code == 403


def test_finance_officer_marks_final_and_the_year_closes(client, world):
    report = AccountabilityReportFactory(municipality=world.middelburg.municipality, done=True)
    client.force_login(world.middelburg.finance_officer)
    url = reverse("reporting:report-finalise", args=["GM0687", report.pk])
    response = client.post(url, {"function": "Controller", "confirm": "on"})
    assert response.status_code == 302
    assert YearClosing.objects.filter(municipality=report.municipality, year=2022).exists()


def test_only_the_functional_administrator_reopens_with_a_reason(client, world):
    report = AccountabilityReportFactory(
        municipality=world.middelburg.municipality, done=True, is_final=True
    )
    url = reverse("reporting:report-reopen", args=["GM0687", report.pk])
    client.force_login(world.middelburg.finance_officer)
    assert client.post(url, {"reason": "Fout"}).status_code == 403
    client.force_login(world.functional_admin)
    assert client.get(url).status_code == 200
    assert client.post(url, {"reason": "Accountant: dubbele boeking"}).status_code == 302
    assert YearReopening.objects.get().reason == "Accountant: dubbele boeking"


def test_functional_administrator_sees_every_municipality_and_runs_batches(
    client, world, only_the_world_exists, django_capture_on_commit_callbacks
):
    client.force_login(world.functional_admin)
    assert client.get(list_url(world.vlissingen.municipality)).status_code == 200
    assert client.get(reverse("reporting:index")).url == reverse("reporting:batch-list")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reporting:batch-list"), {"year": 2022})
    detail = client.get(response.url).content.decode()
    assert "2 van 2 rapporten klaar, 0 mislukt" in detail
    status = client.get(response.url + "status/").json()
    assert (status["percent"], status["done"]) == (100, True)


@pytest.mark.parametrize("role", ["policy_officer", "finance_officer", "board_user"])
def test_batches_are_the_functional_administrators_alone(client, world, role):
    client.force_login(getattr(world.middelburg, role))
    assert client.get(reverse("reporting:batch-list")).status_code == 403


def test_the_preview_renders_in_the_portal(client, hand_made, django_assert_max_num_queries):
    client.force_login(hand_made.finance_officer)
    with django_assert_max_num_queries(30):
        page = client.get(reverse("reporting:report-preview", args=["GM0687", 2022]))
    assert page.status_code == 200
    assert "SiSa-indicatoren" in page.content.decode()


def test_the_finance_dashboard_links_to_the_reports(client, world):
    client.force_login(world.middelburg.finance_officer)
    page = client.get(reverse("finance:dashboard", args=["GM0687"])).content.decode()
    assert reverse("reporting:report-list", args=["GM0687"]) in page
