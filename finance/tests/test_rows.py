"""What checking a row reads once per import or API request (`lookups_for`)."""

from finance.selectors import finance_programme
from finance.services.rows import lookups_for
from plans.factories import InterventionFactory, PlanFactory, goal


def test_lookups_give_each_intervention_with_its_goal_without_more_queries(
    world, django_assert_num_queries
):
    municipality = world.middelburg.municipality
    plan = PlanFactory(municipality=municipality)
    InterventionFactory(plan=plan, goal=goal("bovenschools"), code="I-01")
    InterventionFactory(plan=plan, goal=goal("zorg_welzijn"), code="I-02")
    InterventionFactory(plan=PlanFactory(municipality=world.vlissingen.municipality), code="I-09")
    programme = finance_programme()
    lookups = lookups_for(municipality, programme)
    assert sorted(lookups.interventions) == ["I-01", "I-02"]
    with django_assert_num_queries(0):
        found = {code: (i.pk, i.goal.code, i.goal_id) for code, i in lookups.interventions.items()}
    assert found["I-01"][1:] == ("bovenschools", goal("bovenschools").pk)
    assert found["I-02"][1:] == ("zorg_welzijn", goal("zorg_welzijn").pk)
    assert lookups.goals["bovenschools"].pk == goal("bovenschools").pk
