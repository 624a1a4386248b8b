"""The home page's plan card comes from the cache while the municipality's plan is unchanged."""

from django.urls import reverse

from plans.factories import PlanFactory
from plans.models import Plan, PlanStatus


def home(client, user) -> str:
    client.force_login(user)
    return client.get(reverse("home")).content.decode()


def test_the_cached_plan_card_follows_each_change_of_the_plan_at_once(client, world):
    officer = world.middelburg.policy_officer
    assert "Plan beginnen" in home(client, officer)
    plan = PlanFactory(municipality=world.middelburg.municipality, title="Inhaalplan")
    assert "Inhaalplan" in home(client, officer)
    assert "Inhaalplan" in home(client, officer)  # from the cache
    Plan.objects.filter(pk=plan.pk).update(title="Herstelplan", status=PlanStatus.CONSULTATION)
    body = home(client, officer)
    assert "Herstelplan" in body and "Inhaalplan" not in body and "In overleg" in body
    plan.delete()
    assert "Plan beginnen" in home(client, officer)


def test_the_cached_plan_card_is_the_municipalitys_own(client, world):
    PlanFactory(municipality=world.middelburg.municipality, title="Plan Middelburg")
    PlanFactory(municipality=world.vlissingen.municipality, title="Plan Vlissingen")
    middelburg = home(client, world.middelburg.policy_officer)
    vlissingen = home(client, world.vlissingen.policy_officer)
    assert "Plan Middelburg" in middelburg and "Plan Vlissingen" not in middelburg
    assert "Plan Vlissingen" in vlissingen and "Plan Middelburg" not in vlissingen
