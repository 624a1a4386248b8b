from decimal import Decimal

from plans.models import Allocation, Programme


def test_formula_amount_uses_the_programmes_published_rates_and_shows_the_difference(world):
    programme = Programme.objects.get(slug="npo-gemeenten")
    assert (programme.rate_per_pupil, programme.rate_per_achterstandspunt) == (
        Decimal("118.11"),
        Decimal("22.64"),
    )
    allocation = Allocation(
        programme=programme,
        municipality=world.middelburg.municipality,
        amount=Decimal("700000.00"),
        pupils=5000,
        achterstandspunten=Decimal("4000"),
    )
    assert allocation.formula_amount == Decimal("681110.00")
    assert allocation.formula_difference == Decimal("18890.00")


def test_allocation_without_basis_has_no_formula_amount(world):
    allocation = Allocation(
        programme=Programme.objects.get(slug="npo-gemeenten"), amount=Decimal("1.00")
    )
    assert allocation.formula_amount is None
    assert allocation.formula_difference is None
