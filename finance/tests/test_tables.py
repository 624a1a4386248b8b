import datetime
from decimal import Decimal

import pytest

from npo_portal.tables import parse_amount, parse_date, parse_municipality_code


@pytest.mark.parametrize(
    ("written", "amount"),
    [
        ("1.234.567,89", "1234567.89"),
        ("1234567,89", "1234567.89"),
        ("-1.250,00", "-1250.00"),
        ("12,5", "12.50"),
        ("€ 1.234,56", "1234.56"),
        ("1234567.89", "1234567.89"),
        ("-250.5", "-250.50"),
        ("1000", "1000.00"),
        (Decimal("12.30"), "12.30"),
        (1500, "1500.00"),
        (99.95, "99.95"),
    ],
)
def test_amounts_are_read_in_dutch_and_plain_notation(written, amount):
    assert parse_amount(written) == Decimal(amount)


# "1.234" alone may be thousands or decimals: refused as ambiguous (README, "Amounts and dates").
@pytest.mark.parametrize(
    "written", ["", "twaalf", "1,234,56", "12.345,678", "1.2.3", "1,999", "1.234"]
)
def test_what_is_not_an_amount_is_refused_in_dutch(written):
    with pytest.raises(ValueError, match=r"geen bedrag|verplicht|decimalen"):
        parse_amount(written)


@pytest.mark.parametrize("written", ["15-03-2022", "2022-03-15", datetime.datetime(2022, 3, 15)])
def test_dates_are_read_as_dd_mm_jjjj_or_jjjj_mm_dd(written):
    assert parse_date(written) == datetime.date(2022, 3, 15)


@pytest.mark.parametrize("written", ["15/03/2022", "31-02-2022", "maart"])
def test_other_dates_are_refused_naming_the_formats(written):
    with pytest.raises(ValueError, match="dd-mm-jjjj of jjjj-mm-dd"):
        parse_date(written)


@pytest.mark.parametrize("written", ["GM0687", "gm0687", "0687", "687"])
def test_municipality_codes_are_read_with_or_without_gm(written):
    assert parse_municipality_code(written) == "GM0687"
