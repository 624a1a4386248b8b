"""The audit trail of a plan."""

from django.urls import reverse

from plans.factories import PlanFactory
from plans.models import Intervention
from plans.tests.test_views import intervention_data


def test_plan_history_keeps_a_deleted_intervention_with_its_budgets(client, world):
    plan = PlanFactory(municipality=world.middelburg.municipality)
    officer = world.middelburg.policy_officer
    client.force_login(officer)
    client.post(reverse("plans:intervention-create", kwargs={"pk": plan.pk}), intervention_data())
    intervention = Intervention.objects.get()
    client.post(reverse("plans:intervention-delete", kwargs={"pk": intervention.pk}))
    assert not Intervention.objects.exists()

    page = client.get(reverse("plans:history", kwargs={"pk": plan.pk})).content.decode()
    assert "verwijderd</span> Interventie" in page
    assert "aangemaakt</span> Interventie" in page
    assert "B-01 Zomerschool Walcheren" in page
    assert "<strong>Bedrag</strong>: — → €\xa012.500,00" in page
    assert officer.get_full_name() in page


def test_plan_history_shows_changed_texts_before_and_after(client, world):
    plan = PlanFactory(municipality=world.middelburg.municipality, context="Oud")
    client.force_login(world.middelburg.policy_officer)
    client.post(
        reverse("plans:edit", kwargs={"pk": plan.pk}),
        {"title": plan.title, "context": "Nieuw", "aims": "", "version": plan.version},
    )
    page = client.get(reverse("plans:history", kwargs={"pk": plan.pk})).content.decode()
    assert "Oud → Nieuw" in page
    assert '<h1 class="h3 mb-3">Geschiedenis van het plan</h1>' in page


def test_functional_administrator_reads_any_plans_history(client, world):
    plan = PlanFactory(municipality=world.vlissingen.municipality)
    client.force_login(world.functional_admin)
    assert client.get(reverse("plans:history", kwargs={"pk": plan.pk})).status_code == 200


def test_the_history_of_a_model_is_what_simple_history_gives(world):
    from npo_portal.audit import history
    from plans.models import Plan

    plan = PlanFactory(municipality=world.middelburg.municipality, context="Oud")
    plan.context = "Nieuw"
    plan.save()

    assert history(Plan).model is Plan.history.model
    assert list(history(Plan).filter(id=plan.pk).order_by("history_id")) == list(
        Plan.history.filter(id=plan.pk).order_by("history_id")
    )
    assert history(Plan).filter(id=plan.pk).count() == 2
