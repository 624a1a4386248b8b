import datetime
from decimal import Decimal

import factory

from accounts.factories import MunicipalityFactory, UserFactory
from plans.models import (
    ConsultationBody,
    ConsultationMoment,
    Intervention,
    InterventionBudget,
    Plan,
    PlanVersion,
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
        skip_postgeneration_save = True

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


class ConsultationMomentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConsultationMoment

    plan = factory.SubFactory(PlanFactory)
    date = datetime.date(2021, 10, 5)
    body = ConsultationBody.LEA
    participants = "Schoolbesturen po en vo, kinderopvang, bibliotheek"
    summary = "Knelpunten en behoeften besproken; voorkeur voor zomerschool en extra taalsteun."


class PlanVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanVersion

    plan = factory.SubFactory(PlanFactory)
    number = factory.Sequence(lambda n: n + 1)
    adopted_on = datetime.date(2021, 11, 16)
    decision_reference = factory.Sequence(lambda n: f"B&W-2021-{n + 100}")
    snapshot = factory.LazyAttribute(
        lambda version: {
            "title": version.plan.title,
            "context": "",
            "aims": "",
            "years": [],
            "interventions": [],
            "goals": [],
            "year_totals": [],
            "total": "0.00",
        }
    )
    created_by = factory.SubFactory(
        UserFactory, municipality=factory.SelfAttribute("..plan.municipality")
    )
