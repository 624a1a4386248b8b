"""The hand-made data set's figures, worked out by hand, against the HTML preview, the
spreadsheet cells and the PDF text."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from finance.factories import ExpenditureFactory
from npo_portal.formatting import format_euro
from plans.factories import goal
from reporting import services
from reporting.selectors import report_data
from tests.pdftext import pdf_text

# 2022: 2,500.50 - 250.25 (credit note) + 300.00 + 1,234.56 + 111.11 + 222.22 + 333.33 + 444.44
SPENT_2022 = Decimal("4895.91")
# 2021: 1,000.00 + 200.00 (the 500.00 of 30-06-2021 lies before the period)
SPENT_2021 = Decimal("1200.00")
# The SiSa row holds one total over all goals; the split per goal stays in the body.
EXPECTED_2022 = {
    "NPO/01": SPENT_2022,
    "NPO/02": SPENT_2021 + SPENT_2022,  # 6,095.91
}
GOALS_2022 = {
    "bovenschools": Decimal("2250.25"),  # 2,500.50 - 250.25
    "voorschools": Decimal("300.00"),
    "zorg_welzijn": Decimal("1234.56"),
    "samenwerking": Decimal("111.11"),
    "thuiszitters": Decimal("222.22"),
    "huisvesting": Decimal("333.33"),
    "capaciteit": Decimal("444.44"),
}
EXPECTED_2021 = {
    "NPO/01": SPENT_2021,
    "NPO/02": SPENT_2021,
}
GOALS_2021 = {"bovenschools": Decimal("1000.00"), "voorschools": Decimal("200.00")}


def build(hand_made, year, django_capture_on_commit_callbacks, explanation="Zie jaarverslag."):
    with django_capture_on_commit_callbacks(execute=True):
        report = services.start_report(
            municipality=hand_made.municipality,
            year=year,
            user=hand_made.finance_officer,
            explanation=explanation,
        )
    report.refresh_from_db()
    assert report.status == "klaar", report.failure_reason
    return report


def pdf_lines(report) -> list[str]:
    with report.pdf.open("rb") as stored:
        text = pdf_text(stored.read(), layout=True)
    return [" ".join(line.replace("\xa0", " ").split()) for line in text.splitlines()]


def xlsx_indicators(report) -> dict[str, object]:
    with report.xlsx.open("rb") as stored:
        sheet = load_workbook(io.BytesIO(stored.read()))["SiSa"]
    return {row[0]: row[3] for row in sheet.iter_rows(values_only=True) if row[0]}


def euro(amount: Decimal) -> str:
    return format_euro(amount).replace("\xa0", " ")


@pytest.mark.parametrize(
    ("year", "expected", "per_goal"),
    [(2022, EXPECTED_2022, GOALS_2022), (2021, EXPECTED_2021, GOALS_2021)],
)
def test_indicator_values_agree_to_the_cent_in_html_spreadsheet_and_pdf(
    client, hand_made, django_capture_on_commit_callbacks, year, expected, per_goal
):
    report = build(hand_made, year, django_capture_on_commit_callbacks)
    client.force_login(hand_made.finance_officer)
    html = client.get(
        reverse("reporting:report-preview", args=[hand_made.municipality.code, year])
    ).content.decode()
    cells = xlsx_indicators(report)
    lines = pdf_lines(report)
    for number, amount in expected.items():
        assert Decimal(str(cells[number])).quantize(Decimal("0.01")) == amount, number
        assert format_euro(amount) in html, number
        indicator_line = next(line for line in lines if line.startswith(number))
        assert indicator_line.endswith(euro(amount)), (number, indicator_line)
    assert cells["NPO/03"] == "Nee"
    assert cells["NPO/04"] == "Zie jaarverslag."
    assert [key for key in cells if key.startswith("NPO/")] == [
        "NPO/01",
        "NPO/02",
        "NPO/03",
        "NPO/04",
    ]
    # Besteding T is the sum of the goals in the body and in the goals sheet.
    data = report_data(municipality=hand_made.municipality, year=year, final_accounting=False)
    body = {row.code: row.spent_year for row in data.goals}
    assert sum(body.values()) == expected["NPO/01"]
    with report.xlsx.open("rb") as stored:
        goals_sheet = load_workbook(io.BytesIO(stored.read()))["Bestedingsdoelen"]
    sheet_rows = list(goals_sheet.iter_rows(min_row=2, values_only=True))
    assert sum(Decimal(str(row[3])) for row in sheet_rows[:-1]) == expected["NPO/01"]
    for code, amount in per_goal.items():
        row = next(r for r in data.goals if r.name == goal(code).name)
        assert row.spent_year == amount, code


def test_report_2022_shows_balance_interventions_and_decisions(
    hand_made, django_capture_on_commit_callbacks
):
    report = build(hand_made, 2022, django_capture_on_commit_callbacks)
    text = "\n".join(pdf_lines(report))
    # Received up to 2022: 20,833.33 + 4,166.67; spent up to 2022: 6,095.91.
    assert f"Saldo (ontvangen min besteed) {euro(Decimal('18904.09'))}" in text
    # Zomerschool: 2,250.25 in 2022, 3,250.25 up to 2022 with 2021's 1,000.00.
    assert (
        f"{euro(Decimal('10000.00'))} {euro(Decimal('2250.25'))} {euro(Decimal('3250.25'))}" in text
    )
    # Not on an intervention: 2022 300.00 + 111.11 + 222.22 + 333.33 + 444.44; plus 200.00.
    assert f"{euro(Decimal('1411.10'))} {euro(Decimal('1611.10'))}" in text
    assert "14-09-2021, B&W 2021-77" in text
    assert "01-10-2021, RIB 2021-12" in text
    assert "pagina 1 van" in text
    assert report.identifier in text
    assert "Geen uitgaven uit 2022 zijn uitgesloten." in text


def test_ineligible_expenditures_of_the_year_are_listed_with_their_reason(hand_made):
    before = report_data(municipality=hand_made.municipality, year=2021, final_accounting=False)
    assert [(row.amount, row.reason) for row in before.ineligible] == [
        (Decimal("500.00"), "Vóór de bestedingsperiode")
    ]
    assert before.ineligible_year == Decimal("500.00")
    after = report_data(municipality=hand_made.municipality, year=2025, final_accounting=False)
    assert [(row.amount, row.reason) for row in after.ineligible] == [
        (Decimal("700.00"), "Na de bestedingsperiode")
    ]


def test_the_final_accounting_says_yes_and_shows_the_amount_at_risk(hand_made):
    data = report_data(municipality=hand_made.municipality, year=2025, final_accounting=True)
    values = {i.number: i for i in data.indicators}
    assert values["NPO/03"].text_value == "Ja"
    assert values["NPO/01"].amount == Decimal("0.00")
    assert values["NPO/02"].amount == Decimal("6095.91")
    # Allocation 100,000.00 minus all eligible spending 6,095.91.
    assert data.at_risk == Decimal("93904.09")
    assert report_data(
        municipality=hand_made.municipality, year=2022, final_accounting=False
    ).at_risk == Decimal("0.00")


def test_a_report_not_marked_as_final_accounting_says_no_whatever_its_year(hand_made):
    data = report_data(municipality=hand_made.municipality, year=2025, final_accounting=False)
    assert {i.number: i.text_value for i in data.indicators}["NPO/03"] == "Nee"
    assert data.at_risk == Decimal("0.00")
    assert not data.is_final_year


def test_the_same_data_gives_the_same_figures_and_data_version(
    hand_made, django_capture_on_commit_callbacks
):
    first = build(hand_made, 2022, django_capture_on_commit_callbacks)
    second = build(hand_made, 2022, django_capture_on_commit_callbacks)
    assert (first.version, second.version) == (1, 2)
    assert first.data_version == second.data_version
    assert xlsx_indicators(first) == xlsx_indicators(second)


def test_changed_data_gives_another_data_version(hand_made):
    before = report_data(
        municipality=hand_made.municipality, year=2022, final_accounting=False
    ).data_version
    ExpenditureFactory(
        municipality=hand_made.municipality, goal=goal("thuiszitters"), amount=Decimal("0.01")
    )
    assert (
        report_data(
            municipality=hand_made.municipality, year=2022, final_accounting=False
        ).data_version
        != before
    )


def test_report_data_takes_a_fixed_number_of_queries(hand_made, django_assert_max_num_queries):
    # 20 before the plan's adopted versions and the summary of ineligible expenditures.
    with django_assert_max_num_queries(22):
        report_data(municipality=hand_made.municipality, year=2022, final_accounting=False)
