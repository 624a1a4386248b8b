from decimal import Decimal

from django.urls import reverse

from plans.models import Allocation, Programme


def test_allocation_list_shows_the_formula_amount_beside_the_decided_one(world, client):
    Allocation.objects.update_or_create(
        programme=Programme.objects.get(slug="npo-gemeenten"),
        municipality=world.middelburg.municipality,
        defaults={
            "amount": Decimal("700000.00"),
            "pupils": 5000,
            "achterstandspunten": Decimal("4000"),
        },
    )
    client.force_login(world.functional_admin)
    page = client.get(reverse("finance:allocation-list")).content.decode()
    assert "€\xa0681.110,00" in page
    assert "€\xa018.890,00" in page
