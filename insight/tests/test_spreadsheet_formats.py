"""The golden thread's and the national monitor's workbooks as a Dutch office opens them
(issue 31): Dutch headings, amounts as numbers in euros, and the monitor's settlement columns."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.factories import UserFactory
from accounts.models import Role
from finance.factories import AllocationFactory, ExpenditureFactory
from insight.tests.test_golden_thread import hand_made  # noqa: F401 - the fixture
from settlement.factories import SettlementFactory
from tests.spreadsheets import (
    assert_amounts,
    assert_dutch_headers,
    assert_no_number_or_date_as_text,
    column,
    header,
    workbook,
)


def test_the_golden_thread_workbook_has_euro_amounts_under_dutch_headings(
    client,
    hand_made,  # noqa: F811
    world,
):
    client.force_login(world.middelburg.policy_officer)
    book = workbook(client.get(reverse("insight:golden-thread-xlsx", args=["GM0687"])).content)
    schools, interventions, _unmet = book.worksheets
    for sheet in book.worksheets:
        assert_dutch_headers(sheet)
    assert header(schools)[:2] == ["School", "Code"]
    assert_amounts(schools, "Aandeel besteed")
    for name in ("Begroting", "Besteed", "Kosten per bereikte leerling"):
        assert_amounts(interventions, name)
    assert [cell.value for cell in column(interventions, "Beoogd bereik")] == [40, 60]
    assert_no_number_or_date_as_text(book)


@pytest.mark.usefixtures("small_register")
def test_the_monitor_workbook_has_euro_amounts_and_the_settlement_columns(client, world):
    middelburg, vlissingen = world.middelburg.municipality, world.vlissingen.municipality
    AllocationFactory(municipality=middelburg, amount=Decimal("1000.00"))
    ExpenditureFactory(
        municipality=middelburg, date=datetime.date(2023, 5, 1), amount=Decimal("250.00")
    )
    SettlementFactory(
        municipality=middelburg, amount_set=Decimal("900.00"), amount_to_repay=Decimal("100.00")
    )
    SettlementFactory(
        municipality=vlissingen, amount_set=Decimal("900.00"), amount_to_repay=Decimal("-40.50")
    )
    client.force_login(
        UserFactory(username="monitor", role=Role.MONITOR, municipality=None, school_board=None)
    )
    book = workbook(client.get(reverse("insight:monitor-xlsx") + "?jaar=2023").content)
    sheet = book.active
    assert_dutch_headers(sheet)
    for name in (
        "Toekenning",
        "Ontvangen",
        "Besteed in het jaar",
        "Cumulatief besteed",
        "Risico op terugvordering",
        "Teruggevorderd",
        "Nog uitbetaald",
    ):
        assert_amounts(sheet, name)
    names = header(sheet)
    rows = {
        row[0]: dict(zip(names, row, strict=True))
        for row in sheet.iter_rows(min_row=2, values_only=True)
    }
    assert {
        key: rows["GM0687"][key]
        for key in ("Vastgesteld", "Teruggevorderd", "Nog uitbetaald", "Programma afgesloten")
    } == {
        "Vastgesteld": "ja",
        "Teruggevorderd": 100,
        "Nog uitbetaald": 0,
        "Programma afgesloten": "nee",
    }
    assert (rows["GM0718"]["Teruggevorderd"], rows["GM0718"]["Nog uitbetaald"]) == (0, 40.5)
    unsettled = next(row for code, row in rows.items() if code not in ("GM0687", "GM0718"))
    assert (unsettled["Vastgesteld"], unsettled["Teruggevorderd"]) == ("nee", None)
    assert_no_number_or_date_as_text(book)
