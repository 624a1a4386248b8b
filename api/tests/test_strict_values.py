"""One reading of amounts and dates for the file import and the API (npo_portal.tables):
no exponents, no digits but 0-9, no negative zero, ISO dates zero-padded and in 2000-2100,
and a thousands separator only where it cannot be a decimal point (README: "Amounts")."""

from decimal import Decimal

import pytest

from npo_portal import tables

pytestmark = pytest.mark.django_db
BULK = "/api/v1/uitgaven/bulk/"


@pytest.mark.parametrize(
    ("written", "euros"),
    [
        ("1.500,00", "1500.00"),  # dot groups thousands: a comma marks the cents
        ("1.234.567", "1234567.00"),  # several groups: only thousands
        ("1.5", "1.50"),  # one or two digits after the dot: the decimal point
        ("1.50", "1.50"),
        ("1,5", "1.50"),
        ("1500", "1500.00"),
    ],
)
def test_a_thousands_separator_is_read_where_it_is_unambiguous(written, euros):
    assert tables.parse_amount(written) == Decimal(euros)


@pytest.mark.parametrize(
    "written",
    [
        "1.500",
        "100.001",
        "-2.000",
        "1e9",
        "1E3",
        "\u0661\u0662",
        "\uff11\uff12",
        "-0,00",
        "-0",
        "-0.00",
    ],
)
def test_an_ambiguous_or_foreign_amount_is_refused(written):
    with pytest.raises(ValueError):
        tables.parse_amount(written)


def test_a_spreadsheets_negative_zero_is_refused():
    with pytest.raises(ValueError, match="negatieve nul"):
        tables.parse_amount(-0.0)


@pytest.mark.parametrize("written", ["2023-3-1", "0001-01-01", "2101-01-01", "1999-12-31"])
def test_a_loose_or_far_date_is_refused(written):
    with pytest.raises(ValueError):
        tables.parse_date(written)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("bedrag", "1e9"),
        ("bedrag", "\u0661\u0662"),
        ("bedrag", "-0.00"),
        ("bedrag", 1e9),
        ("datum", "2023-3-1"),
        ("datum", "0001-01-01"),
        ("datum", "\u0662\u0660\u0662\u0663-\u0660\u0663-\u0660\u0661"),
    ],
)
def test_the_api_refuses_what_the_file_import_refuses(api, field, value):
    from api.tests.conftest import row

    response = api("post", BULK, {"rijen": [row(**{field: value})]})
    assert response.status_code == 400, response.content
    assert response.json()["errors"][0]["field"] == field


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("bedrag", "1e9", "'1e9' is geen bedrag"),
        ("bedrag", "\u0661\u0662", "'\u0661\u0662' is geen bedrag"),
        ("bedrag", "1.500,00", "'1.500,00': de API neemt bedragen geschreven als 1234.50"),
        ("datum", "2023-3-1", "'2023-3-1' is geen datum; schrijf dd-mm-jjjj of jjjj-mm-dd"),
        ("datum", "0001-01-01", "'0001-01-01' ligt buiten de jaren 2000 tot en met 2100"),
        ("datum", "01-03-2023", "'01-03-2023': de API neemt datums geschreven als JJJJ-MM-DD"),
        (
            "omschrijving",
            "Zomerschool\x07",
            "de tekst bevat een stuurteken (code 7), dat in getypte tekst niet voorkomt",
        ),
        ("leverancier", "\x1b[31mLeverancier", "de tekst bevat een stuurteken (code 27)"),
        ("factuurnummer", "F-1\x00", "de tekst bevat een stuurteken (code 0)"),
        ("extern_id", "K2-\x7f", "de tekst bevat een stuurteken (code 127)"),
        ("bestedingsdoel", "bovenschools\x07", "de tekst bevat een stuurteken (code 7)"),
    ],
)
@pytest.mark.parametrize("path", ["/api/v1/uitgaven/", BULK])
def test_the_api_refuses_as_the_file_import_does_with_the_same_dutch_message(
    api, path, field, value, message
):
    from api.tests.conftest import row

    body = row(**{field: value})
    response = api("post", path, {"rijen": [body]} if path == BULK else body)
    assert response.status_code == 400, response.content
    (error,) = response.json()["errors"]
    assert error["field"] == field
    assert error["detail"].startswith(message), error["detail"]


def test_a_bel_in_a_changed_text_is_refused_and_nothing_changes(api, world):
    from api.tests.conftest import row

    created = api("post", "/api/v1/uitgaven/", row()).json()
    path = f"/api/v1/uitgaven/{created['id']}/"
    response = api("patch", path, {"omschrijving": "Zomerschool\x07"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["detail"].startswith("de tekst bevat een stuurteken")
    assert api("get", path).json()["omschrijving"] == "Zomerschool week 1"


@pytest.mark.parametrize("written", ["\u0661", "\uff11", " 1 "])
def test_a_goal_number_is_read_as_the_file_import_reads_it(api, written):
    """The import finds goal 1 by "1" (padding dropped) and by no other digits; so does a
    change through the API (it took int() of any digit before)."""
    from api.tests.conftest import row

    created = api("post", "/api/v1/uitgaven/", row()).json()
    response = api("patch", f"/api/v1/uitgaven/{created['id']}/", {"bestedingsdoel": written})
    if written.strip() == "1":
        assert response.status_code == 200, response.content
    else:
        assert response.status_code == 400
        assert "is geen bestedingsdoel" in response.json()["errors"][0]["detail"]


def test_a_text_with_a_control_character_is_refused_by_the_shared_parser():
    with pytest.raises(ValueError, match="stuurteken \\(code 7\\)"):
        tables.parse_text("Zomer\x07school")
    assert tables.parse_text("  Zomer\t school\n") == "Zomer school"


@pytest.mark.parametrize(
    ("parse", "written", "read"),
    [
        (tables.parse_municipality_code, "687", "GM0687"),
        (tables.parse_brin, "12ab", "12AB"),
        (tables.parse_location_number, "0", "00"),
        (tables.parse_board_number, "4300", "04300"),
    ],
)
def test_codes_are_read_by_one_parser_each(parse, written, read):
    assert parse(written) == read
    for foreign in ("\u0661\u0662", "\uff11\uff12"):  # Arabic-Indic and full-width digits
        with pytest.raises(ValueError):
            parse(foreign)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("subsidiabel=", '"" is een ongeldige keuze.'),
        ("subsidiabel=misschien", '"misschien" is een ongeldige keuze.'),
        ("doel=", "Dit veld mag niet leeg zijn."),
        ("doel=bovenschools%07", "de tekst bevat een stuurteken (code 7)"),
        ("jar=2023", "Onbekende parameter(s) 'jar'; deze lijst kent jaar, doel"),
    ],
)
def test_the_list_refuses_a_filter_the_schema_does_not_allow(api, query, message):
    """An empty or unknown filter was read as no filter: the whole list came back."""
    response = api("get", f"/api/v1/uitgaven/?{query}")
    assert response.status_code == 400, response.content
    assert response.json()["errors"][0]["detail"].startswith(message)


def test_the_schema_states_what_the_server_enforces(client, db):
    import re

    schema = client.get("/api/v1/schema/?format=json").json()
    row = schema["components"]["schemas"]["ExpenditureInputRequest"]["properties"]
    amount = row["bedrag"]["anyOf"][0]
    assert amount["type"] == "string"
    accepted = [re.fullmatch(amount["pattern"], text) is not None for text in AMOUNTS]
    assert accepted == [True, True, False, False, False, False, False]
    assert set(row["bestedingsdoel"]["enum"]) >= {"bovenschools", "1", "5"}
    assert "0" not in row["bestedingsdoel"]["enum"]
    assert re.fullmatch(row["datum"]["pattern"], "2023-03-01")
    assert not re.fullmatch(row["datum"]["pattern"], "2023-3-1")
    assert not re.fullmatch(row["datum"]["pattern"], "0001-01-01")
    assert row["omschrijving"]["maxLength"] == 300
    assert not re.fullmatch(row["omschrijving"]["pattern"], "Zomer\x07school")
    assert not re.fullmatch(row["omschrijving"]["pattern"], "   ")
    bulk = schema["components"]["schemas"]["BulkInputRequest"]["properties"]["rijen"]
    assert (bulk["minItems"], bulk["maxItems"]) == (1, 1000)
    filters = {
        parameter["name"]: parameter["schema"]
        for parameter in schema["paths"]["/api/v1/uitgaven/"]["get"]["parameters"]
    }
    assert filters["subsidiabel"]["enum"] == ["ok", "niet"]


# As the pattern of `bedrag` must take or refuse them, in this order.
AMOUNTS = ["750.00", "-04.5", "", "0.00", "-0", "1e9", "\u0661\u0662"]
