"""The policy officer's page for an intervention's reach per school."""

import re

import pytest
from django.urls import reverse

from insight.selectors import golden_thread
from plans.factories import InterventionFactory, PlanFactory
from plans.models import PlanStatus, SchoolReach
from schools.factories import SchoolFactory


@pytest.fixture
def summer(world):
    municipality = world.middelburg.municipality
    intervention = InterventionFactory(plan=PlanFactory(municipality=municipality), code="ZS")
    second = SchoolFactory(
        name="Basisschool De Zeester", municipality=municipality, board=world.middelburg.board
    )
    intervention.schools.set([world.middelburg.school, second])
    return intervention


def url(intervention) -> str:
    return reverse("plans:intervention-reach", kwargs={"pk": intervention.pk})


def field(kind: str, school) -> str:
    return f"{kind}_{school.pk}"


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_a_policy_officer_records_planned_and_reported_reach_per_school(client, world, summer):
    first, second = summer.schools.order_by("name")
    client.force_login(world.middelburg.policy_officer)
    page = text(client.get(url(summer)))
    assert "Bereik per school van ZS" in page
    assert "Basisschool De Zeester" in page and "Gepland (kinderen)" in page
    response = client.post(
        url(summer),
        {
            field("planned", first): "30",
            field("reported", first): "25",
            field("planned", second): "10",
        },
    )
    assert response.status_code == 302
    stored = {r.school_id: (r.planned, r.reported) for r in SchoolReach.objects.all()}
    assert stored == {first.pk: (30, 25), second.pk: (10, None)}
    # The golden thread shares by it: a school with neither number keeps no row.
    thread = golden_thread(municipality=world.middelburg.municipality)
    line = next(i for i in thread.interventions if i.intervention == summer)
    assert (line.reported_reach, line.shared_by_reach) == (25, True)
    client.post(url(summer), {field("planned", first): "30", field("reported", first): "25"})
    assert list(SchoolReach.objects.values_list("school_id", flat=True)) == [first.pk]


def test_a_wrong_number_saves_nothing_and_says_where(client, world, summer):
    first, second = summer.schools.order_by("name")
    SchoolReach.objects.create(intervention=summer, school=first, planned=30)
    client.force_login(world.middelburg.policy_officer)
    response = client.post(
        url(summer), {field("planned", first): "31", field("planned", second): "-4"}
    )
    assert response.status_code == 200
    assert "Het formulier is niet opgeslagen" in text(response)
    assert list(SchoolReach.objects.values_list("planned", flat=True)) == [30]


def test_after_adoption_only_the_reported_reach_changes(client, world, summer):
    first, _second = summer.schools.order_by("name")
    SchoolReach.objects.create(intervention=summer, school=first, planned=30)
    summer.plan.status = PlanStatus.IN_PROGRESS
    summer.plan.save(update_fields=["status"])
    client.force_login(world.middelburg.policy_officer)
    page = client.get(url(summer)).content.decode()
    assert re.search(rf'name="{field("planned", first)}"[^>]*disabled', page)
    client.post(url(summer), {field("planned", first): "99", field("reported", first): "28"})
    assert SchoolReach.objects.values_list("planned", "reported").get() == (30, 28)


def test_only_the_own_policy_officer_records_reach_and_not_once_closed(client, world, summer):
    for user in (world.middelburg.finance_officer, world.middelburg.board_user):
        client.force_login(user)
        assert client.get(url(summer)).status_code in {403, 404}
        assert client.post(url(summer), {}).status_code in {403, 404}
    client.force_login(world.vlissingen.policy_officer)
    assert client.get(url(summer)).status_code == 404
    summer.plan.status = PlanStatus.CLOSED
    summer.plan.save(update_fields=["status"])
    client.force_login(world.middelburg.policy_officer)
    assert client.get(url(summer)).status_code == 403
    assert not SchoolReach.objects.exists()


def test_the_plan_page_links_to_the_reach_of_each_intervention(client, world, summer):
    client.force_login(world.middelburg.policy_officer)
    page = client.get(reverse("plans:detail", kwargs={"pk": summer.plan.pk})).content.decode()
    assert url(summer) in page


def test_the_golden_thread_links_the_policy_officer_to_the_reach_per_school(client, world, summer):
    thread = reverse("insight:golden-thread", kwargs={"code": world.middelburg.municipality.code})
    client.force_login(world.middelburg.policy_officer)
    assert url(summer) in client.get(thread).content.decode()
    client.force_login(world.middelburg.finance_officer)
    page = client.get(thread)
    assert page.status_code == 200 and url(summer) not in page.content.decode()
