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


def dashboard(client, world):
    client.force_login(world.middelburg.finance_officer)
    url = reverse("finance:dashboard", kwargs={"code": world.middelburg.municipality.code})
    return client.get(url).content.decode()


def test_dashboard_shows_the_formula_amount_and_difference_beside_the_allocation(world, client):
    Allocation.objects.update_or_create(
        programme=Programme.objects.get(slug="npo-gemeenten"),
        municipality=world.middelburg.municipality,
        defaults={
            "amount": Decimal("700000.00"),
            "pupils": 5000,
            "achterstandspunten": Decimal("4000.50"),
        },
    )
    page = dashboard(client, world)
    assert "€\xa0700.000,00" in page
    assert "Volgens de formule" in page
    assert "€\xa0681.121,32" in page  # 5.000 * € 118,11 + 4.000,50 * € 22,64
    assert "€\xa018.878,68" in page
    assert "5.000 leerlingen op 1 oktober 2020 en 4.000,50 achterstandspunten" in page


def test_dashboard_shows_a_negative_difference_when_the_formula_gives_more(world, client):
    Allocation.objects.update_or_create(
        programme=Programme.objects.get(slug="npo-gemeenten"),
        municipality=world.middelburg.municipality,
        defaults={"amount": Decimal("600000.00"), "pupils": 5000, "achterstandspunten": 4000},
    )
    page = dashboard(client, world)
    assert "€\xa0681.110,00" in page
    assert "€\xa0-81.110,00" in page


def test_dashboard_hides_the_formula_without_a_basis(world, client):
    Allocation.objects.update_or_create(
        programme=Programme.objects.get(slug="npo-gemeenten"),
        municipality=world.middelburg.municipality,
        defaults={"amount": Decimal("700000.00"), "pupils": 5000},
    )
    page = dashboard(client, world)
    assert "€\xa0700.000,00" in page
    assert "Volgens de formule" not in page
    assert "Grondslag" not in page
