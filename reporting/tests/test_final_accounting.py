"""The eindverantwoording: filed once, over a reporting year the municipality chooses within
the programme's window (2023 up to and including 2026), always in the window's last year."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.urls import reverse

from plans.factories import programme
from reporting import services
from reporting.forms import StartReportForm
from reporting.models import AccountabilityReport
from reporting.selectors import final_accounting_option
from reporting.tests.test_report_figures import xlsx_indicators


def build(hand_made, capture, year, final_accounting=False):
    with capture(execute=True):
        report = services.start_report(
            municipality=hand_made.municipality,
            year=year,
            user=hand_made.finance_officer,
            final_accounting=final_accounting,
        )
    report.refresh_from_db()
    assert report.status == "klaar", report.failure_reason
    return report


def preview_indicator(client, hand_made, year) -> tuple[str, str]:
    """The HTML preview's value of the Eindverantwoording indicator, and the page."""
    client.force_login(hand_made.finance_officer)
    url = reverse("reporting:report-preview", args=[hand_made.municipality.code, year])
    html = client.get(url).content.decode()
    row = re.search(r"<td class=\"nowrap\">NPO/03</td>.*?</tr>", html, re.S).group(0)
    return re.findall(r"<td[^>]*>([^<]*)</td>", row)[-1], html


AT_RISK = "Risico op terugvordering"


def test_the_window_of_the_final_accounting_is_data_on_the_programme(world):
    npo = programme()
    assert (npo.final_accounting_first_year, npo.final_accounting_last_year) == (2023, 2026)
    assert list(npo.final_accounting_years) == [2023, 2024, 2025, 2026]
    municipality = world.middelburg.municipality
    assert not final_accounting_option(municipality=municipality, year=2022).allowed
    assert final_accounting_option(municipality=municipality, year=2026).required

    npo.final_accounting_first_year, npo.final_accounting_last_year = 2024, 2025
    npo.save()
    assert not final_accounting_option(municipality=municipality, year=2023).allowed
    assert final_accounting_option(municipality=municipality, year=2025).required
    assert not final_accounting_option(municipality=municipality, year=2026).allowed


def test_the_window_cannot_end_before_it_starts(world):
    npo = programme()
    npo.final_accounting_first_year, npo.final_accounting_last_year = 2026, 2023
    with pytest.raises(IntegrityError):
        npo.save()


def test_the_checkbox_applies_to_the_years_inside_the_window_only(client, world):
    municipality = world.middelburg.municipality
    form = StartReportForm(municipality=municipality)
    attrs = form.fields["final_accounting"].widget.attrs
    assert attrs["data-allowed-years"] == "2023 2024 2025 2026"
    assert attrs["data-required-years"] == "2026"
    assert "van 2023 tot en met 2026" in str(form.fields["final_accounting"].help_text)

    outside = StartReportForm({"year": "2022", "final_accounting": "on"}, municipality=municipality)
    assert not outside.is_valid()
    assert "van 2023 tot en met 2026; 2022 valt daarbuiten" in outside.errors["final_accounting"][0]
    inside = StartReportForm({"year": "2024", "final_accounting": "on"}, municipality=municipality)
    assert inside.is_valid() and inside.cleaned_data["final_accounting"] is True
    assert StartReportForm({"year": "2024"}, municipality=municipality).is_valid()

    client.force_login(world.middelburg.finance_officer)
    page = client.get(reverse("reporting:report-list", args=[municipality.code])).content.decode()
    assert "Dit is de eindverantwoording" in page
    assert 'data-allowed-years="2023 2024 2025 2026"' in page
    assert "js/final-accounting.js" in page


def test_the_last_year_of_the_window_always_is_the_final_accounting(
    hand_made, django_capture_on_commit_callbacks
):
    form = StartReportForm({"year": "2026"}, municipality=hand_made.municipality)
    assert form.is_valid() and form.cleaned_data["final_accounting"] is True
    report = build(hand_made, django_capture_on_commit_callbacks, 2026, final_accounting=False)
    assert report.final_accounting
    assert xlsx_indicators(report)["NPO/03"] == "Ja"


def test_a_final_accounting_outside_the_window_is_refused(hand_made):
    with pytest.raises(ValidationError, match="van 2023 tot en met 2026; 2022 valt daarbuiten"):
        services.start_report(
            municipality=hand_made.municipality,
            year=2022,
            user=hand_made.finance_officer,
            final_accounting=True,
        )
    assert not AccountabilityReport.objects.exists()


def test_the_view_shows_the_refusal_on_the_form(client, hand_made):
    client.force_login(hand_made.finance_officer)
    response = client.post(
        reverse("reporting:report-list", args=[hand_made.municipality.code]),
        {"year": 2021, "final_accounting": "on", "explanation": ""},
    )
    assert response.status_code == 200
    assert "2021 valt daarbuiten" in response.content.decode()
    assert not AccountabilityReport.objects.exists()


def test_a_municipality_files_its_final_accounting_once(
    hand_made, world, django_capture_on_commit_callbacks
):
    filed = build(hand_made, django_capture_on_commit_callbacks, 2024, final_accounting=True)
    services.mark_final(report=filed, user=hand_made.finance_officer)

    with pytest.raises(ValidationError, match="eindverantwoording over 2024 afgelegd"):
        services.start_report(
            municipality=hand_made.municipality,
            year=2025,
            user=hand_made.finance_officer,
            final_accounting=True,
        )
    # The window's last year is not forced any more: the eindverantwoording is filed.
    later = build(hand_made, django_capture_on_commit_callbacks, 2026)
    assert not later.final_accounting
    assert xlsx_indicators(later)["NPO/03"] == "Nee"
    form = StartReportForm({"year": "2026"}, municipality=hand_made.municipality)
    assert form.is_valid() and form.cleaned_data["final_accounting"] is False

    # A reopening of the filed year frees the choice again.
    services.reopen(report=filed, user=world.functional_admin, reason="Verkeerd jaar gekozen")
    assert final_accounting_option(municipality=hand_made.municipality, year=2025).allowed


def test_a_second_final_accounting_cannot_be_marked_final(
    hand_made, django_capture_on_commit_callbacks
):
    chosen_2025 = build(hand_made, django_capture_on_commit_callbacks, 2025, final_accounting=True)
    filed = build(hand_made, django_capture_on_commit_callbacks, 2024, final_accounting=True)
    services.mark_final(report=filed, user=hand_made.finance_officer)
    with pytest.raises(ValidationError, match="maar één keer"):
        services.mark_final(report=chosen_2025, user=hand_made.finance_officer)
    chosen_2025.refresh_from_db()
    assert not chosen_2025.is_final


def test_a_2024_report_marked_as_final_accounting_says_yes_in_html_and_spreadsheet(
    client, hand_made, django_capture_on_commit_callbacks
):
    report = build(hand_made, django_capture_on_commit_callbacks, 2024, final_accounting=True)
    assert xlsx_indicators(report)["NPO/03"] == "Ja"
    value, html = preview_indicator(client, hand_made, 2024)
    assert value == "Ja"
    assert AT_RISK in html
    page = client.get(reverse("reporting:report-list", args=[hand_made.municipality.code]))
    assert "eindverantwoording</span>" in page.content.decode()


def test_a_2025_report_not_marked_as_final_accounting_says_no_in_html_and_spreadsheet(
    client, hand_made, django_capture_on_commit_callbacks
):
    report = build(hand_made, django_capture_on_commit_callbacks, 2025, final_accounting=False)
    assert not report.final_accounting
    assert xlsx_indicators(report)["NPO/03"] == "Nee"
    value, html = preview_indicator(client, hand_made, 2025)
    assert value == "Nee"
    assert AT_RISK not in html


def test_the_preview_without_a_stored_report_follows_the_rule(client, hand_made):
    assert preview_indicator(client, hand_made, 2025)[0] == "Nee"
    value, html = preview_indicator(client, hand_made, 2026)
    assert value == "Ja"
    assert AT_RISK in html


def test_the_batch_makes_the_last_year_and_recorded_choices_the_final_accounting(
    hand_made, world, only_the_world_exists, django_capture_on_commit_callbacks
):
    build(hand_made, django_capture_on_commit_callbacks, 2024, final_accounting=True)
    with django_capture_on_commit_callbacks(execute=True):
        batch_2024 = services.start_batch(year=2024, user=world.functional_admin)
        batch_2026 = services.start_batch(year=2026, user=world.functional_admin)
    assert dict(batch_2024.reports.values_list("municipality__code", "final_accounting")) == {
        "GM0687": True,
        "GM0718": False,
    }
    assert set(batch_2026.reports.values_list("final_accounting", flat=True)) == {True}


def test_the_choice_is_part_of_the_data_version_and_nothing_else_changes_it(hand_made):
    from reporting.selectors import report_data

    def version(final_accounting):
        return report_data(
            municipality=hand_made.municipality, year=2024, final_accounting=final_accounting
        ).data_version

    assert version(False) == version(False)
    assert version(True) == version(True) != version(False)
