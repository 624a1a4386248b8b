import csv
import datetime
import io
from decimal import Decimal

from django.urls import reverse
from openpyxl import load_workbook

from finance.factories import ExpenditureFactory
from finance.selectors import finance_totals
from finance.services import close_year


def list_url(municipality, name="expenditure-list", **kwargs):
    return reverse(f"finance:{name}", kwargs={"code": municipality.code, **kwargs})


def rows_of(response):
    return [row.description for row in response.context["page"].rows]


def test_search_finds_supplier_invoice_number_and_description(client, world):
    municipality = world.middelburg.municipality
    ExpenditureFactory(municipality=municipality, description="Zomerschool", supplier="Atlas BV")
    ExpenditureFactory(
        municipality=municipality, description="Huiswerk", supplier="", invoice_number="INV-77"
    )
    ExpenditureFactory(municipality=municipality, description="Leesclub", supplier="Bibliotheek")
    client.force_login(world.middelburg.finance_officer)
    assert rows_of(client.get(list_url(municipality), {"zoek": "atlas"})) == ["Zomerschool"]
    assert rows_of(client.get(list_url(municipality), {"zoek": "inv-77"})) == ["Huiswerk"]
    assert rows_of(client.get(list_url(municipality), {"zoek": "leesclub bibliotheek"})) == [
        "Leesclub"
    ]
    assert rows_of(client.get(list_url(municipality), {"zoek": "onbekend"})) == []


def test_sorting_by_amount_pages_through_every_row_once(client, world):
    municipality = world.middelburg.municipality
    for index, amount in enumerate(["5.00", "300.00", "-20.00", "300.00", "42.00"]):
        ExpenditureFactory(
            municipality=municipality, amount=Decimal(amount), description=f"rij {index}"
        )
    client.force_login(world.middelburg.finance_officer)
    amounts, cursor = [], None
    while True:
        params = {"sorteer": "-bedrag", **({"na": cursor} if cursor else {})}
        page = client.get(list_url(municipality), params).context["page"]
        # Two rows a page would need the page size; walk the cursor the view hands out.
        amounts += [row.amount for row in page.rows]
        cursor = page.next_cursor
        if not cursor:
            break
    assert amounts == [Decimal(a) for a in ["300.00", "300.00", "42.00", "5.00", "-20.00"]]
    ascending = client.get(list_url(municipality), {"sorteer": "bedrag"}).context["page"].rows
    assert ascending[0].amount == Decimal("-20.00")


def test_the_filtered_total_is_the_dashboards_figure_for_the_same_rows(client, world):
    municipality = world.middelburg.municipality
    ExpenditureFactory(municipality=municipality, amount=Decimal("1000.10"))
    ExpenditureFactory(municipality=municipality, credit_note=True)  # -250.00, 15-03-2022
    ExpenditureFactory(municipality=municipality, after_period=True, amount=Decimal("99.00"))
    ExpenditureFactory(municipality=municipality, date=datetime.date(2023, 1, 5))
    client.force_login(world.middelburg.finance_officer)
    response = client.get(list_url(municipality), {"jaar": "2022"})
    totals = response.context["list_totals"]
    assert totals.eligible == finance_totals(municipality=municipality).year(2022).spent
    assert totals.eligible == Decimal("750.10")
    assert "Totaal €\xa0750,10, waarvan €\xa0750,10 ten laste van de uitkering." in (
        response.content.decode()
    )
    everything = client.get(list_url(municipality)).context["list_totals"]
    assert (everything.eligible, everything.ineligible) == (Decimal("2000.10"), Decimal("99.00"))


def test_the_year_filter_offers_exactly_the_years_with_expenditures(client, world):
    municipality = world.middelburg.municipality
    ExpenditureFactory(municipality=municipality, date=datetime.date(2022, 3, 1))
    ExpenditureFactory(municipality=municipality, date=datetime.date(2024, 3, 1))
    ExpenditureFactory(municipality=world.vlissingen.municipality, date=datetime.date(2023, 3, 1))
    client.force_login(world.middelburg.finance_officer)
    assert client.get(list_url(municipality)).context["years"] == [2024, 2022]


def test_a_closed_years_rows_are_read_only_and_say_why(client, world):
    municipality = world.middelburg.municipality
    closed = ExpenditureFactory(municipality=municipality, date=datetime.date(2022, 3, 1))
    open_row = ExpenditureFactory(municipality=municipality, date=datetime.date(2023, 3, 1))
    close_year(municipality=municipality, year=2022, user=None)
    client.force_login(world.middelburg.finance_officer)
    body = client.get(list_url(municipality)).content.decode()
    assert "Het jaar 2022 is afgesloten" in body
    assert "Alleen de functioneel beheerder kan een jaar heropenen" in body
    assert list_url(municipality, "expenditure-update", pk=open_row.pk) in body
    assert list_url(municipality, "expenditure-update", pk=closed.pk) not in body
    assert list_url(municipality, "expenditure-delete", pk=closed.pk) not in body
    assert "2022 afgesloten" in body
    client.force_login(world.functional_admin)
    body = client.get(list_url(municipality)).content.decode()
    assert reverse("reporting:report-list", kwargs={"code": municipality.code}) in body


def test_the_filtered_rows_export_as_csv_and_xlsx_with_safe_texts(client, world):
    municipality = world.middelburg.municipality
    ExpenditureFactory(municipality=municipality, description="=HYPERLINK(1)", invoice_number="F-9")
    ExpenditureFactory(municipality=municipality, credit_note=True, invoice_number="C-1")
    ExpenditureFactory(municipality=municipality, date=datetime.date(2023, 2, 1))
    client.force_login(world.middelburg.policy_officer)
    response = client.get(list_url(municipality, "expenditure-export", fmt="csv"), {"jaar": "2022"})
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:2] == ["Datum", "Bedrag"] and rows[0][-1] == "Subsidiabel"
    assert len(rows) == 3
    assert ["15-03-2022", "-250,00"] in [row[:2] for row in rows]  # Dutch decimal comma
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert text.startswith("Datum;Bedrag;")  # the header is the first line
    assert "'=HYPERLINK(1)" in [row[4] for row in rows]

    response = client.get(list_url(municipality, "expenditure-export", fmt="xlsx"), {"zoek": "F-9"})
    assert response["Content-Disposition"].startswith("attachment;")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header, row = list(sheet.iter_rows(values_only=True))
    assert header[0] == "Datum"
    assert row[0] == datetime.datetime(2022, 3, 15)
    assert row[1] == 1250 and row[4] == "=HYPERLINK(1)"
    assert sheet["E2"].data_type == "s"


def test_another_municipality_cannot_export_the_list(client, world):
    ExpenditureFactory(municipality=world.middelburg.municipality)
    client.force_login(world.vlissingen.finance_officer)
    url = list_url(world.middelburg.municipality, "expenditure-export", fmt="csv")
    assert client.get(url).status_code == 404
    client.force_login(world.middelburg.board_user)
    assert client.get(url).status_code in (403, 404)


def test_the_list_total_from_the_summary_equals_adding_up_the_listed_rows(
    client, world, django_assert_max_num_queries
):
    """Without a search the total comes from the spending summary; for every filter it is
    the sum of exactly the rows the list shows, also when the period starts mid-month."""
    from django.db.models import Sum

    from finance import selectors
    from finance.models import ELIGIBLE, Expenditure
    from finance.selectors import ExpenditureFilters, expenditure_list_totals, expenditures_for
    from plans.factories import InterventionFactory, PlanFactory, goal, programme

    municipality = world.middelburg.municipality
    grant = programme()
    grant.start = datetime.date(2021, 7, 15)  # an amendment would split a month by day
    grant.save()
    plan = PlanFactory(municipality=municipality)
    intervention = InterventionFactory(plan=plan, code="Z-1", goal=goal("bovenschools"))
    days = [datetime.date(2021, 7, 3), datetime.date(2021, 7, 20), datetime.date(2022, 3, 1)]
    days += [datetime.date(2025, 7, 31), datetime.date(2025, 8, 2), datetime.date(2023, 12, 31)]
    for number, day in enumerate(days):
        ExpenditureFactory(
            municipality=municipality,
            date=day,
            amount=Decimal(100 + number) + Decimal("0.01"),
            goal=goal("zorg_welzijn" if number % 2 else "bovenschools"),
            intervention=intervention if number % 3 == 0 else None,
        )
    ExpenditureFactory(municipality=world.vlissingen.municipality, date=days[1])
    officer = world.middelburg.finance_officer
    for year in (None, 2021, 2022, 2025):
        for goal_code in (None, "bovenschools", "zorg_welzijn"):
            for intervention_code in (None, "-", "Z-1"):
                for eligibility in (None, "ok", "niet"):
                    filters = ExpenditureFilters(
                        year=year,
                        goal=goal_code,
                        intervention=intervention_code,
                        eligibility=eligibility,
                    )
                    rows = expenditures_for(
                        user=officer, municipality=municipality, filters=filters
                    ).order_by()
                    expected = [
                        rows.filter(ELIGIBLE).aggregate(t=Sum("amount"))["t"] or Decimal("0"),
                        rows.exclude(ELIGIBLE).aggregate(t=Sum("amount"))["t"] or Decimal("0"),
                    ]
                    with django_assert_max_num_queries(3):
                        totals = expenditure_list_totals(
                            municipality=municipality, filters=filters, expenditures=rows
                        )
                    assert [totals.eligible, totals.ineligible] == expected, filters
                    assert totals.count == rows.count(), filters
    searched = ExpenditureFilters(search="zomerschool")
    rows = expenditures_for(user=officer, municipality=municipality, filters=searched)
    totals = expenditure_list_totals(municipality=municipality, filters=searched, expenditures=rows)
    assert totals.total == sum(
        e.amount for e in Expenditure.objects.filter(municipality=municipality)
    )
    assert totals.count == rows.count() == len(days)
    assert selectors.expenditure_years(user=officer, municipality=municipality) == [
        2025,
        2023,
        2022,
        2021,
    ]
    assert (
        selectors.expenditure_years(
            user=world.vlissingen.finance_officer, municipality=municipality
        )
        == []
    )


def test_the_cached_filters_and_total_follow_every_change_of_the_books(client, world):
    """The list's options, closed years and total are cached under the municipality's
    change count (issue 32): each write that changes them is seen at the next view."""
    from plans.factories import InterventionFactory, PlanFactory

    municipality = world.middelburg.municipality
    ExpenditureFactory(
        municipality=municipality, date=datetime.date(2023, 3, 1), amount=Decimal("100.00")
    )
    client.force_login(world.middelburg.finance_officer)

    def seen():
        context = client.get(list_url(municipality)).context
        return (
            context["years"],
            [option.code for option in context["interventions"]],
            context["closed_years"],
            context["list_totals"].total,
        )

    assert seen() == ([2023], [], [], Decimal("100.00"))
    assert seen() == ([2023], [], [], Decimal("100.00"))  # from the cache
    intervention = InterventionFactory(plan=PlanFactory(municipality=municipality), code="ZS-09")
    assert seen() == ([2023], ["ZS-09"], [], Decimal("100.00"))
    ExpenditureFactory(
        municipality=municipality, date=datetime.date(2022, 3, 1), amount=Decimal("50.00")
    )
    assert seen() == ([2023, 2022], ["ZS-09"], [], Decimal("150.00"))
    close_year(municipality=municipality, year=2022, user=None)
    assert seen() == ([2023, 2022], ["ZS-09"], [2022], Decimal("150.00"))
    intervention.title = "Zomerschool voor iedereen"
    intervention.save()
    labels = [str(option) for option in client.get(list_url(municipality)).context["interventions"]]
    assert labels == ["ZS-09 Zomerschool voor iedereen"]
    # Another municipality's list is its own, cached or not.
    client.force_login(world.vlissingen.finance_officer)
    other = client.get(list_url(world.vlissingen.municipality)).context
    assert (other["years"], other["interventions"], other["list_totals"].total) == (
        [],
        [],
        Decimal("0.00"),
    )


def test_a_searched_lists_total_is_added_up_from_its_rows_each_time(client, world):
    municipality = world.middelburg.municipality
    ExpenditureFactory(municipality=municipality, description="Zomerschool", amount=Decimal("10"))
    client.force_login(world.middelburg.finance_officer)

    def total():
        return client.get(list_url(municipality), {"zoek": "zomer"}).context["list_totals"].total

    assert total() == Decimal("10.00")
    ExpenditureFactory(municipality=municipality, description="Zomerschool 2", amount=Decimal("5"))
    assert total() == Decimal("15.00")


def test_the_rows_escape_every_text_they_show(client, world):
    municipality = world.middelburg.municipality
    expenditure = ExpenditureFactory(
        municipality=municipality,
        description='<script>alert("x")</script>',
        supplier="Boek & Co's",
        invoice_number="<F-1>",
    )
    client.force_login(world.middelburg.finance_officer)
    body = client.get(list_url(municipality)).content.decode()
    assert "<script>alert" not in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body
    assert "Boek &amp; Co&#x27;s · factuur &lt;F-1&gt;" in body
    edit = list_url(municipality, "expenditure-update", pk=expenditure.pk)
    assert f'<a href="{edit}">' in body
