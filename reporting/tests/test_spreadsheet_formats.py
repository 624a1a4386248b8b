"""The report's SiSa workbook and the audit dossier as a Dutch office opens them (issue 31):
Dutch headings, every amount a number in euros, every date a date cell."""

import io

from django.urls import reverse

from npo_portal.exports import EURO_FORMAT
from reporting.tests.test_report_figures import build
from tests.spreadsheets import (
    assert_amounts,
    assert_dates,
    assert_dutch_headers,
    assert_no_number_or_date_as_text,
    header,
    workbook,
)


def header_row(sheet, first: str) -> int:
    return next(cell.row for cell in sheet["A"] if cell.value == first)


def assert_indicator_amounts(sheet, header_row: int, column: int) -> None:
    """An indicator's value is an amount (a number in euros) or a text (yes/no, an
    explanation); the spending indicators are amounts."""
    values = {
        row[0].value: row[column]
        for row in sheet.iter_rows(min_row=header_row + 1)
        if row[column].value is not None
    }
    for number in ("NPO/01", "NPO/02"):
        assert values[number].data_type == "n", number
    amounts = [cell for cell in values.values() if cell.data_type == "n"]
    assert all(cell.number_format == EURO_FORMAT for cell in amounts)


def test_the_report_and_dossier_workbooks_have_dates_and_euro_amounts_under_dutch_headings(
    hand_made, django_capture_on_commit_callbacks, client
):
    report = build(hand_made, 2022, django_capture_on_commit_callbacks)
    with report.xlsx.open("rb") as stored:
        book = workbook(stored.read())
    sisa = book["SiSa"]
    row = header_row(sisa, "Nummer")
    assert header(sisa, row) == ["Nummer", "Indicator", "Aard controle", "Waarde"]
    assert_indicator_amounts(sisa, row, column=3)
    for name, amounts in (
        ("Bestedingsdoelen", ("Begroting", "Besteed in het jaar", "Besteed t/m het jaar")),
        ("Interventies", ("Begroting", "Besteed in het jaar", "Besteed t/m het jaar")),
        ("Niet ten laste", ("Bedrag",)),
    ):
        assert_dutch_headers(book[name])
        for amount in amounts:
            assert_amounts(book[name], amount)
    assert_dates(book["Niet ten laste"], "Datum", at_least=0)
    # A goal's code is its number ("1") for the spending goals: a code, kept as text.
    assert_no_number_or_date_as_text(book, codes=frozenset({("Bestedingsdoelen", "A")}))

    client.force_login(hand_made.finance_officer)
    content = client.get(reverse("reporting:report-dossier-xlsx", args=["GM0687", report.pk]))
    dossier = workbook(io.BytesIO(content.content).getvalue())
    figures = dossier["Bedragen"]
    row = header_row(figures, "Nummer")
    assert_dutch_headers(figures, row)
    assert_indicator_amounts(figures, row, column=2)
    for name in ("Besteed in 2022", "Besteed tot en met 2022", "Betalingen"):
        assert_dutch_headers(dossier[name])
        assert_dates(dossier[name], "Datum")
        assert_amounts(dossier[name], "Bedrag")
    assert_no_number_or_date_as_text(dossier)
