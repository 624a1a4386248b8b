from decimal import Decimal

import pytest

from insight.shares import largest_remainder


def test_cents_add_up_exactly_and_go_to_the_largest_remainders():
    # 100.00 over 1:1:1 = 33.333…: one cent left, to the first of the equal remainders.
    shares = largest_remainder(Decimal("100.00"), [("a", 1), ("b", 1), ("c", 1)])
    assert shares == {"a": Decimal("33.34"), "b": Decimal("33.33"), "c": Decimal("33.33")}
    assert sum(shares.values()) == Decimal("100.00")


def test_shares_follow_the_weights():
    # 10.00 over 30:60:10 pupils: 3.00, 6.00, 1.00 without any remainder.
    assert largest_remainder(Decimal("10.00"), [("a", 30), ("b", 60), ("c", 10)]) == {
        "a": Decimal("3.00"),
        "b": Decimal("6.00"),
        "c": Decimal("1.00"),
    }
    # 0.05 over 2:1: 3.33 and 1.67 cents round down to 3 and 1, the cent left goes to the
    # larger remainder (0.67 of b against 0.33 of a).
    assert largest_remainder(Decimal("0.05"), [("a", 2), ("b", 1)]) == {
        "a": Decimal("0.03"),
        "b": Decimal("0.02"),
    }


def test_a_negative_amount_is_shared_with_its_sign():
    shares = largest_remainder(Decimal("-1.00"), [("a", 1), ("b", 2)])
    assert shares == {"a": Decimal("-0.33"), "b": Decimal("-0.67")}


def test_many_parts_never_lose_a_cent():
    weights = [(index, index % 7 + 1) for index in range(97)]
    shares = largest_remainder(Decimal("12345.67"), weights)
    assert sum(shares.values()) == Decimal("12345.67")
    assert all(value.as_tuple().exponent == -2 for value in shares.values())


def test_zero_weights_are_refused():
    with pytest.raises(ValueError):
        largest_remainder(Decimal("1.00"), [("a", 0)])
