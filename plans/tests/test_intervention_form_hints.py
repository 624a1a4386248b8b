"""The intervention form: budget years outside the intervention's own period are warned about,
mbo and hbo are not offered, and the empty choices speak Dutch."""

import pytest
from django.urls import reverse

from plans.factories import InterventionFactory, PlanFactory, goal
from plans.forms import InterventionForm
from plans.models import Intervention, TargetGroup


@pytest.fixture
def plan(world):
    return PlanFactory(municipality=world.middelburg.municipality)


def intervention_post(**overrides) -> dict:
    return {
        "code": "Z1",
        "title": "Zomerschool",
        "description": "",
        "goal": goal("bovenschools").pk,
        "menu_item": "",
        "target_groups": ["po"],
        "planned_reach": "",
        "partners": [],
        "other_partners": "",
        "start": "01-09-2021",
        "end": "30-06-2022",
        "status": "gepland",
        "budget_2022": "10.000,00",
        "budget_2025": "5.000,00",
        **overrides,
    }


def test_a_budget_year_outside_the_intervention_period_is_saved_with_a_warning(client, world, plan):
    client.force_login(world.middelburg.policy_officer)
    response = client.post(
        reverse("plans:intervention-create", kwargs={"pk": plan.pk}),
        intervention_post(),
        follow=True,
    )
    body = response.content.decode()
    assert Intervention.objects.get().budgets.count() == 2
    assert "deze begroting voor 2025 valt buiten die looptijd" in body
    assert "voor 2022 valt" not in body
    edit = client.get(
        reverse("plans:intervention-edit", kwargs={"pk": Intervention.objects.get().pk})
    )
    assert "deze begroting voor 2025 valt buiten die looptijd" in edit.content.decode()


def test_mbo_and_hbo_are_not_offered_as_target_groups(world, plan):
    form = InterventionForm(plan=plan, instance=Intervention(plan=plan))
    offered = {value for value, _label in form.fields["target_groups"].widget.choices}
    assert TargetGroup.PO in offered
    assert not offered & {TargetGroup.MBO, TargetGroup.HBO}
    stored = InterventionFactory(plan=plan, target_groups=[TargetGroup.MBO])
    form = InterventionForm(plan=plan, instance=stored)
    assert TargetGroup.MBO in {
        value for value, _label in form["target_groups"].field.widget.choices
    }


def test_the_empty_choices_are_dutch_not_dashes(client, world, plan):
    client.force_login(world.middelburg.policy_officer)
    body = client.get(reverse("plans:intervention-create", kwargs={"pk": plan.pk})).content
    body = body.decode()
    assert "---------" not in body
    assert "Kies een bestedingsdoel" in body and "Geen interventie van de menukaart" in body


def test_the_plan_page_explains_menukaart_and_rib_with_the_configured_contact(
    client, world, plan, settings
):
    settings.PORTAL_HELP_CONTACT = "Functioneel beheer NPO, npo@middelburg.example"
    client.force_login(world.middelburg.policy_officer)
    body = client.get(reverse("plans:detail", kwargs={"pk": plan.pk})).content.decode()
    assert "Wat betekenen deze termen?" in body
    assert "<dt>RIB</dt>" in body and "<dt>Menukaart</dt>" in body
    assert "Vragen? Functioneel beheer NPO, npo@middelburg.example" in body
