from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format

CENT = Decimal("0.01")


def format_euro(amount: Decimal | int | None) -> str:
    """An amount as the active language writes it: € 1.234,56 in Dutch, € 1,234.56 in English."""
    if amount is None:
        return ""
    if isinstance(amount, float):
        raise TypeError("Money is Decimal, never float.")
    cents = Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)
    return "€\N{NO-BREAK SPACE}" + number_format(cents, decimal_pos=2, force_grouping=True)
