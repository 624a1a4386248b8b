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
