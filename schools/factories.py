import datetime

import factory
from django.utils import timezone

from accounts.factories import MunicipalityFactory, SchoolBoardFactory
from plans.models import SpendingGoal
from schools.models import (
    AnswerStatus,
    DelayAssessment,
    Domain,
    NeedRequest,
    NeedsAnswer,
    NeedsRound,
    RoundStatus,
    School,
    Sector,
    Severity,
)


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School
        django_get_or_create = ["brin", "vestiging"]

    brin = factory.Sequence(
        lambda n: f"{n % 100:02d}{chr(65 + n // 100 % 26)}{chr(65 + n // 2600 % 26)}"
    )
    vestiging = "00"
    name = factory.Sequence(lambda n: f"Basisschool De Proef {n}")
    sector = Sector.PO
    municipality = factory.SubFactory(MunicipalityFactory)
    board = factory.SubFactory(SchoolBoardFactory)


class NeedsRoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NeedsRound
        django_get_or_create = ["municipality", "title"]

    municipality = factory.SubFactory(MunicipalityFactory)
    title = "Behoeftepeiling NP Onderwijs"
    school_year = "2022-2023"
    deadline = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=14))

    class Params:
        closed = factory.Trait(
            status=RoundStatus.CLOSED, closed_at=factory.LazyFunction(timezone.now)
        )
        past_deadline = factory.Trait(
            deadline=factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=1))
        )


class NeedsAnswerFactory(factory.django.DjangoModelFactory):
    """An answer with a delay in every domain; `submitted=True` for a submitted one."""

    class Meta:
        model = NeedsAnswer
        django_get_or_create = ["round", "school"]
        skip_postgeneration_save = True

    round = factory.SubFactory(NeedsRoundFactory)
    school = factory.SubFactory(
        SchoolFactory, municipality=factory.SelfAttribute("..round.municipality")
    )
    board = factory.SelfAttribute("school.board")
    free_text = ""

    class Params:
        submitted = factory.Trait(
            status=AnswerStatus.SUBMITTED, submitted_at=factory.LazyFunction(timezone.now)
        )

    @factory.post_generation
    def delays(self, create, extracted, **kwargs):
        """`delays={"rekenen": ("ernstig", 40)}`; by default `beperkt`, 10 % in every domain."""
        if not create:
            return
        wanted = (
            extracted
            if extracted is not None
            else dict.fromkeys(Domain.values, (Severity.LIMITED, 10))
        )
        for domain, (severity, share) in wanted.items():
            DelayAssessment.objects.update_or_create(
                answer=self,
                domain=domain,
                defaults={"severity": severity, "share_of_pupils": share},
            )

    @factory.post_generation
    def needs(self, create, extracted, **kwargs):
        """`needs=[("Zomerschool", ["bovenschools"])]`: descriptions with goal codes."""
        if create and extracted:
            for description, codes in extracted:
                need = NeedRequest.objects.create(answer=self, description=description)
                need.goals.set(SpendingGoal.objects.filter(code__in=codes))
