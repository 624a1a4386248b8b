"""Sharing an amount over parts by weight, exactly to the cent."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from decimal import Decimal

CENT = Decimal("0.01")


def largest_remainder(
    amount: Decimal, weights: Sequence[tuple[Hashable, int]]
) -> dict[Hashable, Decimal]:
    """`amount` shared over the keys in proportion to their weights, in whole cents that add
    up to `amount` exactly (Hare's largest-remainder method): each key gets the cents its
    share rounds down to, and the cents left over go one each to the largest remainders
    (the earlier key first on a tie). Weights must be positive; a negative amount (more
    credited than spent) is shared the same way with its sign."""
    if not weights:
        return {}
    if any(weight <= 0 for _key, weight in weights):
        raise ValueError("weights must be positive")
    total_weight = sum(weight for _key, weight in weights)
    sign = -1 if amount < 0 else 1
    cents = int((abs(amount) / CENT).to_integral_value())
    if Decimal(cents) * CENT != abs(amount):
        raise ValueError("amount must be in whole cents")
    floors, remainders = {}, []
    for index, (key, weight) in enumerate(weights):
        floor, remainder = divmod(cents * weight, total_weight)
        floors[key] = floor
        remainders.append((-remainder, index, key))
    left = cents - sum(floors.values())
    for _remainder, _index, key in sorted(remainders)[:left]:
        floors[key] += 1
    return {key: sign * Decimal(value) * CENT for key, value in floors.items()}
