"""However many expenditures are not charged to the grant, the PDF counts and sums them per
reason, month and goal and lists only the first REPORT_INELIGIBLE_LINES; the workbook holds
every line."""

import datetime
import io
from decimal import Decimal

from openpyxl import load_workbook

from finance.factories import ExpenditureFactory
from finance.selectors import finance_totals
from plans.factories import goal
from reporting.tests.test_report_figures import build, euro, pdf_lines


def test_the_pdf_summarises_and_bounds_the_list_and_the_workbook_holds_every_line(
    settings, world, django_capture_on_commit_callbacks
):
    from reporting.tests.conftest import hand_made_data

    settings.REPORT_INELIGIBLE_LINES = 5
    hand_made = hand_made_data(world.middelburg)
    # 2021 already holds one: 500.00 on 30-06-2021, before the period.
    for day in range(1, 31):
        ExpenditureFactory(
            municipality=hand_made.municipality,
            date=datetime.date(2021, 6, day),
            amount=Decimal("10.01"),
            goal=goal("voorschools"),
            description=f"Te vroeg {day}",
        )
    report = build(hand_made, 2021, django_capture_on_commit_callbacks)
    total = Decimal("500.00") + 30 * Decimal("10.01")  # 800.30
    assert (
        finance_totals(municipality=hand_made.municipality, today=datetime.date(2021, 12, 31))
        .year(2021)
        .ineligible
        == total
    )

    text = "\n".join(pdf_lines(report))
    assert f"31 uitgaven uit 2021, samen {euro(total)}, komen niet ten laste" in text
    assert f"Vóór de bestedingsperiode 31 {euro(total)}" in text
    assert f"juni 2021 31 {euro(total)}" in text
    assert f"Voorschoolse periode 30 {euro(Decimal('300.30'))}" in text
    assert "De 5 grootste uitgaven" in text
    assert "Deze lijst toont 5 van 31 regels" in text
    # The largest first: the 500.00 of 30 June, then four of the 10.01s, oldest first.
    assert "Uitgave bovenschools 30-06-2021" in text
    assert [f"Te vroeg {day}" in text for day in (1, 2, 3, 4, 5)] == [True] * 4 + [False]
    with report.xlsx.open("rb") as stored:
        sheet = load_workbook(io.BytesIO(stored.read()))["Niet ten laste"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 31 + 1
    assert rows[-1][0] == "Totaal" and Decimal(str(rows[-1][4])) == total
    assert sum(Decimal(str(row[4])) for row in rows[:-1]) == total
