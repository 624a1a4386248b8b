from django.core.management import call_command
from django.test import override_settings

from plans.models import Allocation, Intervention, Plan, PlanStatus
from plans.selectors import budget_totals


def snapshot():
    return (
        sorted(Intervention.objects.values_list("plan__municipality__code", "code", "title")),
        sorted(Plan.objects.values_list("municipality__code", "status")),
        Plan.objects.get(municipality__code="GM0687").transitions.count(),
        Plan.objects.get(municipality__code="GM0687").versions.count(),
    )


@override_settings(DEBUG=True)
def test_demo_gives_an_adopted_plan_for_middelburg_and_a_concept_for_vlissingen(db):
    call_command("seed_demo")
    first = snapshot()
    call_command("seed_demo")
    assert snapshot() == first
    middelburg = Plan.objects.get(municipality__code="GM0687")
    assert middelburg.status == PlanStatus.ADOPTED
    assert middelburg.versions.get().number == 1
    codes = set(middelburg.interventions.values_list("goal__code", flat=True))
    assert {"bovenschools", "voorschools", "zorg_welzijn", "samenwerking", "thuiszitters"} <= codes
    assert codes & {"huisvesting", "capaciteit"}
    assert middelburg.interventions.count() >= 8
    assert middelburg.consultations.exists()
    totals = budget_totals(plan=middelburg)
    assert 0 < totals.total <= Allocation.objects.get(municipality__code="GM0687").amount
    vlissingen = Plan.objects.get(municipality__code="GM0718")
    assert (vlissingen.status, vlissingen.interventions.count()) == (PlanStatus.CONCEPT, 3)
