from datetime import date
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from npo_portal.formatting import format_euro

NBSP = "\N{NO-BREAK SPACE}"


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (Decimal("1234.56"), "€ 1.234,56"),
        (Decimal("1234567.8"), "€ 1.234.567,80"),
        (Decimal("-250"), "€ -250,00"),
        (Decimal("0.005"), "€ 0,01"),
        (0, "€ 0,00"),
    ],
)
def test_amounts_in_dutch(amount, expected):
    with translation.override("nl"):
        assert format_euro(amount) == expected.replace(" ", NBSP)


def test_amounts_in_english():
    with translation.override("en"):
        assert format_euro(Decimal("1234.56")) == f"€{NBSP}1,234.56"


def test_float_is_refused_for_money():
    with pytest.raises(TypeError):
        format_euro(1234.56)


def test_templates_write_dates_as_dd_mm_jjjj_and_euros():
    template = Template(
        '{% load portal %}{{ day|date:"SHORT_DATE_FORMAT" }} {{ day }} {{ amount|euro }}'
    )
    with translation.override("nl"):
        rendered = template.render(Context({"day": date(2025, 7, 31), "amount": Decimal("1234.5")}))
    assert rendered == f"31-07-2025 31-07-2025 €{NBSP}1.234,50"
