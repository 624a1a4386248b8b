from decimal import Decimal

import pytest
from django.urls import reverse

from plans.factories import InterventionFactory, PlanFactory, PlanVersionFactory, programme
from plans.models import Allocation

MODELS = [
    "programme",
    "spendinggoal",
    "menuarea",
    "menuitem",
    "plan",
    "planversion",
    "intervention",
    "allocation",
]


@pytest.mark.parametrize("model", MODELS)
def test_functional_admin_maintains_plans_reference_data_in_the_admin(client, world, model):
    plan = PlanFactory(municipality=world.middelburg.municipality)
    InterventionFactory(plan=plan, budgets={2022: "10.00"})
    PlanVersionFactory(plan=plan)
    Allocation.objects.create(
        programme=programme(), municipality=plan.municipality, amount=Decimal("1214683.00")
    )
    client.force_login(world.functional_admin)
    response = client.get(reverse(f"admin:plans_{model}_changelist"))
    assert response.status_code == 200
    first = response.context["cl"].result_list[0]
    assert client.get(reverse(f"admin:plans_{model}_change", args=[first.pk])).status_code == 200


def test_policy_officer_does_not_reach_the_admin(client, world):
    client.force_login(world.middelburg.policy_officer)
    assert client.get(reverse("admin:plans_plan_changelist")).status_code == 302
