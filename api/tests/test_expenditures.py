import datetime
from decimal import Decimal

from django.urls import reverse

from finance.factories import ExpenditureFactory, YearClosingFactory
from finance.models import Expenditure
from finance.selectors import finance_totals
from plans.factories import InterventionFactory, PlanFactory, goal

from .conftest import row

BULK = "/api/v1/uitgaven/bulk/"
LIST = "/api/v1/uitgaven/"


def rows(count: int, **overrides) -> list[dict]:
    return [
        row(
            datum=(datetime.date(2022, 1, 1) + datetime.timedelta(days=i % 700)).isoformat(),
            bedrag=f"{100 + i}.{i % 100:02d}",
            omschrijving=f"Boeking {i}",
            factuurnummer=f"F-{i:05d}",
            extern_id=f"K2-{i}",
            **overrides,
        )
        for i in range(count)
    ]


def errors_of(response) -> set[tuple]:
    return {(e.get("row"), e["field"]) for e in response.json()["errors"]}


def test_a_pushed_expenditure_is_recorded_with_amount_and_date_as_sent(api, world):
    response = api("post", LIST, row(bedrag="-1234.50", extern_id="K2-1"))
    assert response.status_code == 201
    body = response.json()
    assert body["bedrag"] == "-1234.50"
    assert body["datum"] == "2023-03-01"
    assert body["gemeente"] == "GM0687"
    assert body["subsidiabel"] == "ok"
    stored = Expenditure.objects.get(pk=body["id"])
    assert stored.amount == Decimal("-1234.50")
    assert stored.extern_id == "K2-1"
    assert stored.recorded_by == world.middelburg.finance_officer


def test_pushed_expenditures_follow_the_same_rules_as_the_import(api, world):
    municipality = world.middelburg.municipality
    municipality.valid_from = datetime.date(2021, 1, 1)
    municipality.save()
    YearClosingFactory(municipality=municipality, year=2022)
    plan = PlanFactory(municipality=municipality)
    InterventionFactory(plan=plan, code="I-ZW", goal=goal("zorg_welzijn"))
    response = api(
        "post",
        BULK,
        {
            "rijen": [
                row(),
                row(datum="2022-05-01", factuurnummer="closed"),
                row(bestedingsdoel="onbekend"),
                row(interventie="I-ZW", factuurnummer="other-goal"),
                row(datum="2020-12-31", factuurnummer="before"),
                row(datum="31-12-2023", bedrag="12,50"),
            ]
        },
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["title"] == "Ongeldige invoer"
    assert errors_of(response) == {
        (1, "datum"),
        (2, "bestedingsdoel"),
        (3, "interventie"),
        (4, "datum"),
        (5, "datum"),
        (5, "bedrag"),
    }
    messages = {(e["row"], e["field"]): e["detail"] for e in response.json()["errors"]}
    assert "2022" in messages[(1, "datum")]
    assert "#/rijen/3/interventie" in {e["pointer"] for e in response.json()["errors"]}
    assert not Expenditure.objects.exists()  # all or nothing


def test_a_bulk_of_a_thousand_rows_sent_twice_records_them_once(api):
    body = {"rijen": rows(1000)}
    first = api("post", BULK, body)
    assert first.status_code == 201
    assert first.json()["aangemaakt"] == 1000
    again = api("post", BULK, body)
    assert again.status_code == 200
    assert again.json()["aangemaakt"] == 0
    assert again.json()["bestaand"] == 1000
    assert [r["id"] for r in again.json()["rijen"]] == [r["id"] for r in first.json()["rijen"]]
    assert Expenditure.objects.count() == 1000


def test_more_than_a_thousand_rows_are_refused_whole(api):
    response = api("post", BULK, {"rijen": rows(1001)})
    assert response.status_code == 400
    assert {e["pointer"] for e in response.json()["errors"]} == {"#/rijen"}
    assert not Expenditure.objects.exists()


def test_a_known_extern_id_or_the_same_expenditure_records_nothing_new(api, world):
    first = api("post", LIST, row(extern_id="K2-7")).json()
    changed = api("post", LIST, row(extern_id="K2-7", bedrag="999.99"))
    assert changed.status_code == 200
    assert changed.json()["id"] == first["id"]
    assert changed.json()["bedrag"] == "750.00"
    # Recorded before through the file import, without a reference: its duplicate key.
    imported = ExpenditureFactory(municipality=world.middelburg.municipality)
    same = api(
        "post",
        LIST,
        row(
            datum=imported.date.isoformat(),
            bedrag=f"{imported.amount:.2f}",
            omschrijving=imported.description,
            leverancier=imported.supplier,
            factuurnummer=imported.invoice_number,
            extern_id="K2-8",
        ),
    )
    assert same.status_code == 200
    assert same.json()["id"] == imported.pk
    assert Expenditure.objects.count() == 2


def test_one_extern_id_twice_in_a_request_is_refused(api):
    response = api("post", BULK, {"rijen": [row(extern_id="X"), row(extern_id="X", bedrag="1.00")]})
    assert response.status_code == 400
    assert errors_of(response) == {(1, "extern_id")}


def test_a_repeated_extern_id_names_the_row_of_the_request_when_malformed_rows_precede(api):
    response = api(
        "post",
        BULK,
        {
            "rijen": [
                row(datum="geen datum", extern_id="A"),
                row(bedrag="veel", extern_id="B"),
                row(extern_id="X"),
                row(extern_id="X", bedrag="1.00"),
            ]
        },
    )
    assert response.status_code == 400
    assert errors_of(response) == {(0, "datum"), (1, "bedrag"), (3, "extern_id")}
    (repeated,) = [e for e in response.json()["errors"] if e["field"] == "extern_id"]
    assert repeated["pointer"] == "#/rijen/3/extern_id"
    assert repeated["detail"].endswith("rij 2")
    assert not Expenditure.objects.exists()


def test_the_same_row_twice_in_a_request_is_recorded_once(api):
    response = api("post", BULK, {"rijen": [row(), row()]})
    assert response.status_code == 201
    result = response.json()
    assert result["aangemaakt"] == 1
    assert result["rijen"][1]["zelfde_als_rij"] == 0
    assert Expenditure.objects.count() == 1


def test_the_list_pages_with_a_cursor_and_takes_the_pages_filters(api):
    api("post", BULK, {"rijen": rows(7)})
    seen, cursor = [], None
    while True:
        query = "?aantal=3" + (f"&na={cursor}" if cursor else "")
        page = api("get", LIST + query).json()
        assert page["aantal"] == 7
        seen += [item["id"] for item in page["resultaten"]]
        cursor = page["volgende"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 7
    only_2022 = api("get", LIST + "?jaar=2022").json()
    assert {item["datum"][:4] for item in only_2022["resultaten"]} == {"2022"}
    bad = api("get", LIST + "?subsidiabel=misschien")
    assert bad.status_code == 400
    assert errors_of(bad) == {(None, "subsidiabel")}


def test_a_change_through_the_api_is_in_the_audit_trail_naming_the_token(api, token, world, client):
    created = api("post", LIST, row()).json()
    changed = api("patch", f"{LIST}{created['id']}/", {"bedrag": "800.00", "versie": 1})
    assert changed.status_code == 200
    assert changed.json()["bedrag"] == "800.00"
    assert changed.json()["versie"] == 2
    history = Expenditure.history.filter(id=created["id"]).order_by("history_id")
    assert [h.history_type for h in history] == ["+", "~"]
    for record in history:
        assert record.history_user == world.middelburg.finance_officer
        assert token.token.name in record.history_change_reason
        assert token.token.prefix in record.history_change_reason
    client.force_login(world.middelburg.policy_officer)
    page = client.get(reverse("finance:history", kwargs={"code": "GM0687"})).content.decode()
    assert f"via API-token “{token.token.name}”" in page
    stale = api("patch", f"{LIST}{created['id']}/", {"bedrag": "900.00", "versie": 1})
    assert stale.status_code == 409
    assert Expenditure.objects.get(pk=created["id"]).amount == Decimal("800.00")


def test_a_closed_year_can_be_neither_changed_nor_deleted(api, world):
    created = api("post", LIST, row(datum="2022-06-01")).json()
    YearClosingFactory(municipality=world.middelburg.municipality, year=2022)
    changed = api(
        "put", f"{LIST}{created['id']}/", {**row(datum="2023-01-05"), "interventie": None}
    )
    assert changed.status_code == 400
    assert errors_of(changed) == {(None, "datum")}
    deleted = api("delete", f"{LIST}{created['id']}/")
    assert deleted.status_code == 400
    assert Expenditure.objects.filter(pk=created["id"]).exists()


def test_an_expenditure_is_deleted(api):
    created = api("post", LIST, row()).json()
    assert api("delete", f"{LIST}{created['id']}/").status_code == 204
    assert api("get", f"{LIST}{created['id']}/").status_code == 404
    assert not Expenditure.objects.exists()


def test_the_totals_are_the_dashboards(api, world):
    api("post", BULK, {"rijen": rows(20)})
    totals = finance_totals(municipality=world.middelburg.municipality)
    body = api("get", "/api/v1/totalen/").json()
    assert body["besteed"] == f"{totals.spent:.2f}"
    assert body["risico_terugvordering"] == f"{totals.at_risk:.2f}"
    assert [y["besteed"] for y in body["jaren"]] == [f"{y.spent:.2f}" for y in totals.years]
