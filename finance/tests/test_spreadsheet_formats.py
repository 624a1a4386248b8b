"""The expenditure files and the import template as a Dutch office opens them (issue 31)."""

import csv
import datetime
import io
from decimal import Decimal

from django.urls import reverse

from finance.factories import ExpenditureFactory
from finance.models import Expenditure
from finance.services import import_expenditures
from plans.factories import InterventionFactory, PlanFactory
from plans.models import SpendingGoal
from tests.spreadsheets import (
    assert_amounts,
    assert_dates,
    assert_dutch_headers,
    assert_no_number_or_date_as_text,
    header,
    workbook,
)


def url(municipality, name, fmt):
    return reverse(f"finance:{name}", kwargs={"code": municipality.code, "fmt": fmt})


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_expenditure_csv_starts_with_its_header_and_goes_back_in_through_the_import(
    client, world
):
    municipality = world.middelburg.municipality
    ExpenditureFactory(municipality=municipality, amount=Decimal("1234.56"))
    ExpenditureFactory(municipality=municipality, amount=Decimal("-20.00"), description="Credit")
    client.force_login(world.middelburg.finance_officer)
    response = client.get(url(municipality, "expenditure-export", "csv"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    content = body(response)
    assert content.startswith(b"\xef\xbb\xbfDatum;Bedrag;Bestedingsdoel;")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert sorted(row[1] for row in rows[1:]) == ["-20,00", "1234,56"]

    Expenditure.objects.filter(municipality=municipality).delete()
    result = import_expenditures(municipality=municipality, data=content, user=None)
    assert result.created == 2
    assert sorted(Expenditure.objects.values_list("amount", flat=True)) == [
        Decimal("-20.00"),
        Decimal("1234.56"),
    ]


def test_the_expenditure_workbook_has_dates_and_euro_amounts_under_dutch_headings(client, world):
    municipality = world.middelburg.municipality
    ExpenditureFactory(municipality=municipality, amount=Decimal("1234.56"))
    ExpenditureFactory(municipality=municipality, amount=Decimal("-20.00"))
    client.force_login(world.middelburg.finance_officer)
    book = workbook(body(client.get(url(municipality, "expenditure-export", "xlsx"))))
    sheet = book.active
    assert_dutch_headers(sheet)
    assert_dates(sheet, "Datum")
    assert_amounts(sheet, "Bedrag", at_least=2)
    assert_no_number_or_date_as_text(book)


def test_the_import_template_offers_lists_and_explains_each_column(client, world):
    municipality = world.middelburg.municipality
    plan = PlanFactory(municipality=municipality)
    InterventionFactory(plan=plan, code="Z-01")
    InterventionFactory(plan=plan, code="A-01")
    client.force_login(world.middelburg.finance_officer)
    book = workbook(body(client.get(url(municipality, "import-template", "xlsx"))))
    assert book.sheetnames == ["Uitgaven", "Toelichting", "Keuzelijsten"]
    sheet, guide, choices = book.worksheets
    assert_dutch_headers(sheet)
    headings = header(sheet)
    assert headings == [
        "Datum",
        "Bedrag",
        "Bestedingsdoel",
        "Interventie",
        "Omschrijving",
        "Leverancier",
        "Factuurnummer",
    ]
    assert sheet["A2"].number_format == "DD-MM-YYYY"
    assert sheet["B2"].number_format.startswith('"€"')

    # Each list points at the column of codes on the third sheet, which holds them all.
    lists = {
        str(validation.sqref): validation.formula1
        for validation in sheet.data_validations.dataValidation
        if validation.type == "list"
    }
    goal_codes = sorted(SpendingGoal.objects.values_list("code", flat=True))
    assert lists == {
        "C2:C1001": f"'Keuzelijsten'!$A$2:$A${len(goal_codes) + 1}",
        "D2:D1001": "'Keuzelijsten'!$E$2:$E$3",
    }
    listed = [row[0] for row in choices.iter_rows(min_row=2, values_only=True) if row[0]]
    assert sorted(listed) == goal_codes
    assert [row[4] for row in choices.iter_rows(min_row=2, max_row=3, values_only=True)] == [
        "A-01",
        "Z-01",
    ]
    kinds = {str(v.sqref): (v.type, v.operator) for v in sheet.data_validations.dataValidation}
    assert kinds["A2:A1001"] == ("date", "between")
    assert kinds["B2:B1001"] == ("decimal", "notEqual")
    assert kinds["E2:E1001"] == ("textLength", "lessThanOrEqual")

    # The second sheet: a row per column, with whether it is required, its form and example.
    assert header(guide) == ["Kolom", "Verplicht", "Vorm", "Voorbeeld", "Toelichting"]
    explained = {row[0]: row for row in guide.iter_rows(min_row=2, values_only=True)}
    assert list(explained) == headings
    assert {name: row[1] for name, row in explained.items()} == {
        "Datum": "ja",
        "Bedrag": "ja",
        "Bestedingsdoel": "ja",
        "Interventie": "nee",
        "Omschrijving": "ja",
        "Leverancier": "nee",
        "Factuurnummer": "nee",
    }
    assert explained["Datum"][3] == datetime.datetime(2022, 3, 15)
    assert guide["D2"].number_format == "DD-MM-YYYY"
    assert explained["Bedrag"][3] == 1250 and guide["D3"].number_format.startswith('"€"')
    assert explained["Interventie"][3] == "A-01"
    assert "300" in explained["Omschrijving"][2]  # the description's limit
    assert all(row[4] for row in explained.values())


def test_the_import_template_without_a_plan_says_to_leave_the_intervention_empty(client, world):
    municipality = world.vlissingen.municipality
    client.force_login(world.vlissingen.finance_officer)
    book = workbook(body(client.get(url(municipality, "import-template", "xlsx"))))
    sheet, guide, _choices = book.worksheets
    assert "D2:D1001" not in {str(v.sqref) for v in sheet.data_validations.dataValidation}
    explained = {row[0]: row for row in guide.iter_rows(min_row=2, values_only=True)}
    assert explained["Interventie"][4] == "Het plan heeft nog geen interventies: laat leeg."


def test_the_csv_template_is_its_header_alone_with_a_byte_order_mark(client, world):
    municipality = world.middelburg.municipality
    client.force_login(world.middelburg.finance_officer)
    response = client.get(url(municipality, "import-template", "csv"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        response.content
        == (
            "\ufeffDatum;Bedrag;Bestedingsdoel;Interventie;Omschrijving;Leverancier;"
            "Factuurnummer\r\n"
        ).encode()
    )
