import datetime
from decimal import Decimal

import factory

from accounts.factories import MunicipalityFactory
from plans.models import (
    Intervention,
    InterventionBudget,
    Plan,
    Programme,
    SpendingGoal,
    TargetGroup,
)


def programme() -> Programme:
    """The programme loaded by the data migration."""
    return Programme.objects.get(slug="npo-gemeenten")


def goal(code: str) -> SpendingGoal:
    """A spending goal or category loaded by the data migration, by its code."""
    return SpendingGoal.objects.get(code=code)


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan
        django_get_or_create = ["municipality", "programme"]

    municipality = factory.SubFactory(MunicipalityFactory)
    programme = factory.LazyFunction(programme)
    title = factory.LazyAttribute(lambda plan: f"Plan NP Onderwijs {plan.municipality.name}")


class InterventionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Intervention

    plan = factory.SubFactory(PlanFactory)
    code = factory.Sequence(lambda n: f"I-{n + 1:03d}")
    title = factory.Sequence(lambda n: f"Zomerschool {n + 1}")
    goal = factory.LazyFunction(lambda: goal("bovenschools"))
    target_groups = factory.LazyFunction(lambda: [TargetGroup.PO])
    start = datetime.date(2021, 9, 1)
    end = datetime.date(2023, 7, 31)
    planned_reach = 120

    @factory.post_generation
    def budgets(self, create, extracted, **kwargs):
        """`budgets={2022: "10000.00"}` adds a budget per calendar year."""
        if create and extracted:
            for year, amount in extracted.items():
                InterventionBudget.objects.create(
                    intervention=self, year=year, amount=Decimal(amount)
                )
