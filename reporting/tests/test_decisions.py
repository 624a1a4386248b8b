"""The report's "Decisions on the plan": the college's adoption from the adoption step alone,
the council's information letter on its own line, and each adopted version of a revised plan."""

import datetime

from django.urls import reverse

from plans import services as plan_services
from plans.factories import PlanFactory
from plans.models import PlanStatus
from reporting.selectors import report_data


def adopt(plan, officer, day, reference):
    plan_services.transition_plan(plan=plan, to_status=PlanStatus.CONSULTATION, user=officer)
    plan_services.transition_plan(
        plan=plan,
        to_status=PlanStatus.ADOPTED,
        user=officer,
        decided_on=day,
        decision_reference=reference,
    )


def demo_like_plan(world):
    """Middelburg's plan as the demo has it: adopted 16-11-2021, council informed a week later."""
    officer = world.middelburg.policy_officer
    plan = PlanFactory(municipality=world.middelburg.municipality)
    adopt(plan, officer, datetime.date(2021, 11, 16), "B&W 2021/1187")
    plan_services.record_council_informed(
        plan=plan, informed_on=datetime.date(2021, 11, 23), reference="RIB 2021-058", user=officer
    )
    return plan


def test_informing_the_council_is_not_counted_as_the_college_adoption(world):
    demo_like_plan(world)
    plan = report_data(
        municipality=world.middelburg.municipality, year=2023, final_accounting=False
    ).plan
    assert (plan.college_decided_on, plan.college_reference) == (
        datetime.date(2021, 11, 16),
        "B&W 2021/1187",
    )
    assert (plan.council_informed_on, plan.council_reference) == (
        datetime.date(2021, 11, 23),
        "RIB 2021-058",
    )
    assert not plan.is_revised


def test_a_revised_plan_lists_each_adopted_version(world, client):
    plan = demo_like_plan(world)
    officer = world.middelburg.policy_officer
    plan_services.start_revision(plan=plan, user=officer)
    adopt(plan, officer, datetime.date(2022, 6, 14), "B&W 2022/455")
    data = report_data(
        municipality=world.middelburg.municipality, year=2023, final_accounting=False
    )
    assert [(a.number, a.adopted_on, a.reference) for a in data.plan.adoptions] == [
        (1, datetime.date(2021, 11, 16), "B&W 2021/1187"),
        (2, datetime.date(2022, 6, 14), "B&W 2022/455"),
    ]
    # The college's decision is the latest adoption, the council line stays the letter's.
    assert data.plan.college_reference == "B&W 2022/455"
    client.force_login(world.middelburg.finance_officer)
    page = client.get(
        reverse("reporting:report-preview", args=[world.middelburg.municipality.code, 2023])
    ).content.decode()
    decisions = page[page.index('id="decisions"') :]
    decisions = decisions[: decisions.index("</table>")]
    assert "Collegebesluit</th><td>14-06-2022, B&amp;W 2022/455" in decisions
    assert "Vastgestelde versie 1</th><td>16-11-2021, B&amp;W 2021/1187" in decisions
    assert "Vastgestelde versie 2</th><td>14-06-2022, B&amp;W 2022/455" in decisions
    assert "Raad geïnformeerd</th><td>23-11-2021, RIB 2021-058" in decisions
