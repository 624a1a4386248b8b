"""The home page's money card comes from the cache while the grant's books are unchanged."""

from decimal import Decimal

from django.urls import reverse

from finance.factories import AllocationFactory, ExpenditureFactory
from finance.models import ExpenditureImport, ImportStatus
from plans.factories import InterventionFactory, PlanFactory


def home(client, user) -> str:
    client.force_login(user)
    return client.get(reverse("home")).content.decode()


def test_the_cached_money_card_follows_each_booking_at_once(client, world):
    municipality = world.middelburg.municipality
    AllocationFactory(municipality=municipality, amount=Decimal("100000.00"))
    plan = PlanFactory(municipality=municipality)
    summer = InterventionFactory(plan=plan, code="ZS-01", budgets={2022: "5000.00"})
    officer = world.middelburg.policy_officer
    assert "ZS-01" in home(client, officer)
    assert "ZS-01" in home(client, officer)  # from the cache
    ExpenditureFactory(municipality=municipality, intervention=summer)
    assert "ZS-01" not in home(client, officer)


def test_the_cached_money_card_is_the_municipalitys_own(client, world):
    for organisation, code in ((world.middelburg, "MB-01"), (world.vlissingen, "VL-01")):
        AllocationFactory(municipality=organisation.municipality, amount=Decimal("1000.00"))
        plan = PlanFactory(municipality=organisation.municipality)
        InterventionFactory(plan=plan, code=code, budgets={2022: "500.00"})
    middelburg = home(client, world.middelburg.finance_officer)
    vlissingen = home(client, world.vlissingen.finance_officer)
    assert "MB-01" in middelburg and "VL-01" not in middelburg
    assert "VL-01" in vlissingen and "MB-01" not in vlissingen
    assert world.vlissingen.municipality.code not in middelburg


def test_the_cached_money_card_offers_the_import_only_to_who_may_record(client, world):
    AllocationFactory(municipality=world.middelburg.municipality, amount=Decimal("1000.00"))
    code = world.middelburg.municipality.code
    link = reverse("finance:import", kwargs={"code": code})
    officers = [world.middelburg.policy_officer, world.middelburg.finance_officer]
    for order in (officers, officers[::-1]):
        for user in order:
            assert (link in home(client, user)) == (user == world.middelburg.finance_officer)


def test_the_failed_imports_on_the_cached_card_are_read_on_every_view(client, world):
    municipality = world.middelburg.municipality
    AllocationFactory(municipality=municipality, amount=Decimal("1000.00"))
    officer = world.middelburg.finance_officer
    assert "Imports die niet zijn gelukt" not in home(client, officer)

    def record(name, status):
        return ExpenditureImport.objects.create(
            municipality=municipality, file_name=name, size=10, sha256="1" * 64, status=status
        )

    record("fout-1.csv", ImportStatus.FAILED)
    record("fout-2.csv", ImportStatus.REJECTED)
    body = home(client, officer)
    assert "Imports die niet zijn gelukt" in body
    assert "fout-1.csv" in body and "fout-2.csv" in body
    record("gelukt.csv", ImportStatus.DONE)
    body = home(client, officer)
    assert "fout-1.csv" not in body and "gelukt.csv" not in body
    for number in range(4):
        record(f"later-{number}.csv", ImportStatus.FAILED)
    body = home(client, officer)
    assert "later-0.csv" not in body  # the newest three
    assert all(f"later-{number}.csv" in body for number in (1, 2, 3))
