import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from plans import services
from plans.factories import InterventionFactory, PlanFactory
from plans.models import PlanStatus, PlanTransition, TransitionKind

ADOPTED_ON = datetime.date(2021, 11, 16)


@pytest.fixture
def plan(world):
    return PlanFactory(municipality=world.middelburg.municipality)


def adopt(plan, user, reference="B&W 2021-1187"):
    services.transition_plan(plan=plan, to_status=PlanStatus.CONSULTATION, user=user)
    return services.transition_plan(
        plan=plan,
        to_status=PlanStatus.ADOPTED,
        user=user,
        decided_on=ADOPTED_ON,
        decision_reference=reference,
    )


def test_policy_officer_moves_the_plan_through_every_step_and_each_step_is_recorded(world, plan):
    officer = world.middelburg.policy_officer
    adopt(plan, officer)
    services.transition_plan(plan=plan, to_status=PlanStatus.IN_PROGRESS, user=officer)
    services.transition_plan(plan=plan, to_status=PlanStatus.CLOSED, user=officer)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CLOSED
    steps = list(
        PlanTransition.objects.filter(plan=plan).values_list("from_status", "to_status", "by")
    )
    assert steps == [
        ("concept", "in_overleg", officer.pk),
        ("in_overleg", "vastgesteld", officer.pk),
        ("vastgesteld", "in_uitvoering", officer.pk),
        ("in_uitvoering", "afgesloten", officer.pk),
    ]
    adoption = PlanTransition.objects.get(plan=plan, to_status="vastgesteld")
    assert (adoption.decided_on, adoption.decision_reference) == (ADOPTED_ON, "B&W 2021-1187")


def test_plan_in_consultation_may_go_back_to_concept(world, plan):
    officer = world.middelburg.policy_officer
    services.transition_plan(plan=plan, to_status=PlanStatus.CONSULTATION, user=officer)
    services.transition_plan(plan=plan, to_status=PlanStatus.CONCEPT, user=officer)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CONCEPT


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (PlanStatus.CONCEPT, PlanStatus.ADOPTED),
        (PlanStatus.CONCEPT, PlanStatus.IN_PROGRESS),
        (PlanStatus.CONSULTATION, PlanStatus.CLOSED),
        (PlanStatus.ADOPTED, PlanStatus.CONCEPT),
        (PlanStatus.CLOSED, PlanStatus.IN_PROGRESS),
    ],
)
def test_skipping_or_reversing_a_step_is_refused(world, plan, start, target):
    plan.status = start
    plan.save()
    with pytest.raises(ValidationError, match="kan niet naar"):
        services.transition_plan(
            plan=plan,
            to_status=target,
            user=world.middelburg.policy_officer,
            decided_on=ADOPTED_ON,
            decision_reference="x",
        )
    assert not PlanTransition.objects.filter(plan=plan).exists()


def test_adoption_needs_the_college_decision_date_and_reference(world, plan):
    officer = world.middelburg.policy_officer
    services.transition_plan(plan=plan, to_status=PlanStatus.CONSULTATION, user=officer)
    with pytest.raises(ValidationError, match="datum en het kenmerk van het collegebesluit"):
        services.transition_plan(
            plan=plan, to_status=PlanStatus.ADOPTED, user=officer, decided_on=ADOPTED_ON
        )
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CONSULTATION
    assert not plan.versions.exists()


@pytest.mark.parametrize("role", ["finance_officer", "board_user"])
def test_only_the_municipalitys_policy_officer_moves_the_plan(world, plan, role):
    with pytest.raises(PermissionDenied):
        services.transition_plan(
            plan=plan, to_status=PlanStatus.CONSULTATION, user=getattr(world.middelburg, role)
        )
    with pytest.raises(PermissionDenied):
        services.transition_plan(
            plan=plan, to_status=PlanStatus.CONSULTATION, user=world.vlissingen.policy_officer
        )
    with pytest.raises(PermissionDenied):
        services.transition_plan(
            plan=plan, to_status=PlanStatus.CONSULTATION, user=world.functional_admin
        )


def test_finance_officer_gets_403_on_the_transition_page(client, world, plan):
    client.force_login(world.middelburg.finance_officer)
    url = reverse("plans:transition", kwargs={"pk": plan.pk, "to_status": "in_overleg"})
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403


def test_adoption_through_the_page_stores_version_one(client, world, plan):
    InterventionFactory(plan=plan, code="Z1", budgets={2022: "1000.00"})
    client.force_login(world.middelburg.policy_officer)
    client.post(reverse("plans:transition", kwargs={"pk": plan.pk, "to_status": "in_overleg"}))
    response = client.post(
        reverse("plans:transition", kwargs={"pk": plan.pk, "to_status": "vastgesteld"}),
        {"decided_on": "16-11-2021", "decision_reference": "B&W 2021-1187"},
    )
    assert response.status_code == 302
    version = plan.versions.get()
    assert (version.number, version.adopted_on) == (1, ADOPTED_ON)
    assert version.snapshot["interventions"][0]["budgets"]["2022"] == "1000.00"
    assert version.snapshot["total"] == "1000.00"


def test_adoption_page_without_reference_says_so_in_dutch(client, world, plan):
    plan.status = PlanStatus.CONSULTATION
    plan.save()
    client.force_login(world.middelburg.policy_officer)
    response = client.post(
        reverse("plans:transition", kwargs={"pk": plan.pk, "to_status": "vastgesteld"}),
        {"decided_on": "16-11-2021"},
    )
    assert response.status_code == 200
    assert "Dit veld is verplicht." in response.content.decode()


def test_revision_puts_the_plan_back_to_concept_and_keeps_the_adopted_version(client, world, plan):
    officer = world.middelburg.policy_officer
    intervention = InterventionFactory(
        plan=plan, code="Z1", title="Zomerschool", budgets={2022: "1000.00"}
    )
    adopt(plan, officer)
    services.transition_plan(plan=plan, to_status=PlanStatus.IN_PROGRESS, user=officer)
    client.force_login(officer)
    response = client.post(
        reverse("plans:revision", kwargs={"pk": plan.pk}), {"note": "Verlenging"}
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CONCEPT
    step = PlanTransition.objects.filter(plan=plan).last()
    assert (step.kind, step.from_status, step.to_status) == (
        TransitionKind.REVISION,
        "in_uitvoering",
        "concept",
    )
    intervention.title = "Zomerschool 2.0"
    intervention.save()
    version = plan.versions.get()
    body = client.get(reverse("plans:version", kwargs={"pk": version.pk})).content.decode()
    assert "Zomerschool" in body and "Zomerschool 2.0" not in body
    assert "01-09-2021 \N{EN DASH} 31-07-2023" in body
    adopt(plan, officer, reference="B&W 2023-0412")
    assert list(plan.versions.values_list("number", "decision_reference")) == [
        (1, "B&W 2021-1187"),
        (2, "B&W 2023-0412"),
    ]
    assert plan.interventions.get().pk == intervention.pk


def test_revision_of_a_concept_plan_is_refused(world, plan):
    with pytest.raises(PermissionDenied):
        services.start_revision(plan=plan, user=world.middelburg.policy_officer)


def test_an_adopted_plan_cannot_be_edited_until_a_revision_starts(client, world, plan):
    adopt(plan, world.middelburg.policy_officer)
    client.force_login(world.middelburg.policy_officer)
    assert client.get(reverse("plans:edit", kwargs={"pk": plan.pk})).status_code == 403
    assert (
        client.get(reverse("plans:intervention-create", kwargs={"pk": plan.pk})).status_code == 403
    )


def test_council_informed_is_recorded_on_the_plan_and_in_the_history(client, world, plan):
    client.force_login(world.middelburg.policy_officer)
    response = client.post(
        reverse("plans:council", kwargs={"pk": plan.pk}),
        {"informed_on": "23-11-2021", "reference": "RIB 2021-58"},
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.council_informed_on, plan.council_reference) == (
        datetime.date(2021, 11, 23),
        "RIB 2021-58",
    )
    assert PlanTransition.objects.get(plan=plan).kind == TransitionKind.COUNCIL_INFORMED
    client.force_login(world.middelburg.finance_officer)
    assert client.post(reverse("plans:council", kwargs={"pk": plan.pk})).status_code == 403


def test_progress_of_an_intervention_is_recorded_while_the_adopted_plan_runs(client, world, plan):
    intervention = InterventionFactory(plan=plan, code="Z1")
    url = reverse("plans:intervention-status", kwargs={"pk": intervention.pk})
    client.force_login(world.middelburg.policy_officer)
    assert client.get(url).status_code == 403
    adopt(plan, world.middelburg.policy_officer)
    assert client.post(url, {"status": "in_uitvoering"}).status_code == 302
    intervention.refresh_from_db()
    assert intervention.status == "in_uitvoering"
    client.force_login(world.middelburg.finance_officer)
    assert client.post(url, {"status": "gestopt"}).status_code == 403
    intervention.refresh_from_db()
    assert intervention.status == "in_uitvoering"
