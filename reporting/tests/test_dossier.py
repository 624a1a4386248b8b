"""The audit dossier agrees with the report to the cent: each SiSa figure is the sum of the
rows the dossier lists, for three years of Amsterdam with Weesp merged into it."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.factories import UserFactory
from finance.factories import ExpenditureFactory
from finance.tests.test_mergers import merge, weesp_and_amsterdam  # noqa: F401 (fixture)
from plans.factories import goal
from reporting import services
from reporting.tests.test_report_figures import xlsx_indicators


def total(rows) -> Decimal:
    return sum((row.amount for row in rows), Decimal("0.00"))


def sheet_rows(workbook, name):
    rows = list(workbook[name].iter_rows(min_row=2, values_only=True))
    return rows[:-1], rows[-1]


@pytest.mark.parametrize("year", [2021, 2022, 2023])
def test_dossier_and_report_agree_to_the_cent_after_a_merger(
    weesp_and_amsterdam,  # noqa: F811
    django_capture_on_commit_callbacks,
    client,
    year,
):
    weesp, amsterdam = weesp_and_amsterdam
    # An expenditure before the period, at the predecessor: listed as not charged in 2021.
    ExpenditureFactory(
        municipality=weesp,
        date=datetime.date(2021, 5, 3),
        amount=Decimal("123.45"),
        goal=goal("bovenschools"),
    )
    merge(weesp, amsterdam)
    officer = UserFactory(municipality=amsterdam, finance=True)
    with django_capture_on_commit_callbacks(execute=True):
        report = services.start_report(municipality=amsterdam, year=year, user=officer)
    report.refresh_from_db()
    assert report.status == "klaar", report.failure_reason
    from reporting.selectors import report_dossier

    dossier = report_dossier(report=report)
    assert dossier.agrees_with_stored_report
    cells = xlsx_indicators(report)
    indicators = {
        number: Decimal(str(cells[number])).quantize(Decimal("0.01"))
        for number in ("NPO/01", "NPO/02")
    }
    assert total(dossier.year_expenditures) == indicators["NPO/01"] == dossier.data.spent_year
    assert total(dossier.cumulative_expenditures) == indicators["NPO/02"]
    assert total(dossier.payments) == dossier.data.received_cumulative
    assert total(dossier.ineligible) == dossier.data.ineligible_year
    # From the merger on, Weesp's own rows before it are part of the successor's dossier.
    codes = {row.municipality.code for row in dossier.cumulative_expenditures}
    assert codes == ({"GM0363", "GM0457"} if year >= 2022 else {"GM0363"})

    client.force_login(officer)
    response = client.get(
        reverse("reporting:report-dossier-xlsx", args=[amsterdam.code, report.pk])
    )
    workbook = load_workbook(io.BytesIO(response.content))
    for name, expected in (
        (f"Besteed in {year}", indicators["NPO/01"]),
        (f"Besteed tot en met {year}", indicators["NPO/02"]),
        ("Betalingen", dossier.data.received_cumulative),
        ("Niet ten laste", dossier.data.ineligible_year),
    ):
        rows, closing = sheet_rows(workbook, name)
        amounts = [Decimal(str(row[-1] if name == "Betalingen" else row[7])) for row in rows]
        assert sum(amounts, Decimal("0.00")).quantize(Decimal("0.01")) == expected, name
        closing_amount = closing[-1] if name == "Betalingen" else closing[7]
        assert Decimal(str(closing_amount)).quantize(Decimal("0.01")) == expected, name
    figures = {row[0]: row for row in workbook["Bedragen"].iter_rows(values_only=True) if row[0]}
    assert Decimal(str(figures["NPO/01"][2])).quantize(Decimal("0.01")) == indicators["NPO/01"]
    assert figures["NPO/01"][4] == dossier.year_expenditures.count()

    page = client.get(reverse("reporting:report-dossier", args=[amsterdam.code, report.pk]))
    assert page.status_code == 200
    assert "Controledossier van" in page.content.decode()


def test_the_dossier_lists_changes_since_the_previous_final_report(
    hand_made, django_capture_on_commit_callbacks, client
):
    from reporting.selectors import report_dossier
    from reporting.tests.test_report_figures import build

    first = build(hand_made, 2021, django_capture_on_commit_callbacks)
    services.mark_final(report=first, user=hand_made.finance_officer)
    changed = ExpenditureFactory(
        municipality=hand_made.municipality,
        date=datetime.date(2022, 12, 1),
        amount=Decimal("99.99"),
        goal=goal("thuiszitters"),
        description="Na de afsluiting van 2021",
    )
    second = build(hand_made, 2022, django_capture_on_commit_callbacks)
    dossier = report_dossier(report=second)
    assert dossier.previous_final == first
    assert [row.id for row in dossier.expenditure_changes] == [changed.pk]
    client.force_login(hand_made.finance_officer)
    page = client.get(reverse("reporting:report-dossier", args=["GM0687", second.pk]))
    assert "Na de afsluiting van 2021" in page.content.decode()
    assert f"Sinds het vorige definitieve rapport, {first.identifier}" in page.content.decode()
    # Issue 31: the header names the figure ("Cijfer"), not "Bedrag" twice, and the change
    # log says when to the minute.
    workbook = load_workbook(
        io.BytesIO(
            client.get(reverse("reporting:report-dossier-xlsx", args=["GM0687", second.pk])).content
        )
    )
    header = next(
        row for row in workbook["Bedragen"].iter_rows(values_only=True) if row[0] == "Nummer"
    )
    assert header[1:3] == ("Cijfer", "Bedrag")
    changes = workbook["Wijzigingen"]
    when = changes.cell(row=2, column=1)
    assert isinstance(when.value, datetime.datetime) and when.number_format == "DD-MM-YYYY HH:MM"
