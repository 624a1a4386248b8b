import datetime
from decimal import Decimal

import factory

from accounts.factories import MunicipalityFactory
from finance.models import Expenditure, Payment, YearClosing
from finance.services import duplicate_key
from finance.services.writing import WRITTEN_FIELDS, write_expenditures
from finance.summary import refresh_spending_summary
from plans.factories import goal, programme
from plans.models import Allocation


class AllocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Allocation
        django_get_or_create = ["programme", "municipality"]

    programme = factory.LazyFunction(programme)
    municipality = factory.SubFactory(MunicipalityFactory)
    amount = Decimal("1214683.00")
    decision_reference = "Informatietool OCW 22-07-2021"


class PaymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Payment

    programme = factory.LazyFunction(programme)
    municipality = factory.SubFactory(MunicipalityFactory)
    date = datetime.date(2021, 12, 20)
    amount = Decimal("253058.96")
    reference = factory.Sequence(lambda n: f"OCW-NPO-{n + 1:04d}")


class ExpenditureFactory(factory.django.DjangoModelFactory):
    """An expenditure inside the period on goal 1; traits for the cases the rules name."""

    class Meta:
        model = Expenditure

    programme = factory.LazyFunction(programme)
    municipality = factory.SubFactory(MunicipalityFactory)
    date = datetime.date(2022, 3, 15)
    amount = Decimal("1250.00")
    goal = factory.LazyFunction(lambda: goal("bovenschools"))
    intervention = None
    description = factory.Sequence(lambda n: f"Zomerschool week {n + 1}")
    supplier = "Stichting Zomerschool Zeeland"
    invoice_number = factory.Sequence(lambda n: f"F-{n + 1:05d}")
    duplicate_key = factory.LazyAttribute(
        lambda e: duplicate_key(
            municipality_code=e.municipality.code,
            date=e.date,
            amount=Decimal(e.amount),
            goal_code=e.goal.code,
            invoice_number=e.invoice_number,
            supplier=e.supplier,
            description=e.description,
        )
    )

    class Params:
        credit_note = factory.Trait(
            amount=Decimal("-250.00"),
            description=factory.Sequence(lambda n: f"Creditnota zomerschool {n + 1}"),
        )
        after_period = factory.Trait(date=datetime.date(2025, 8, 15))
        before_period = factory.Trait(date=datetime.date(2021, 6, 30))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # As the services do after every write: the totals read the spending summary.
        expenditure = super()._create(model_class, *args, **kwargs)
        refresh_spending_summary(
            municipality_ids=[expenditure.municipality_id], months=[expenditure.date]
        )
        return expenditure

    @classmethod
    def create_batch(cls, size, **kwargs):
        """Many expenditures of one saved municipality in one write, through the one write
        path the import and the API use (`write_expenditures`: each with its history record,
        the summary added to once). One by one, 1,000 cost the query-count tests most of
        their minute: a history row and a summary refresh per expenditure."""
        municipality = kwargs.get("municipality")
        if municipality is None or municipality.pk is None:
            return super().create_batch(size, **kwargs)
        built = cls.build_batch(size, **kwargs)
        by_programme: dict = {}
        for expenditure in built:
            by_programme.setdefault(expenditure.programme, []).append(expenditure)
        for programme_, expenditures in by_programme.items():
            write_expenditures(
                (
                    {
                        **{name: getattr(e, name) for name in WRITTEN_FIELDS},
                        "goal": e.goal,
                        "intervention": e.intervention,
                    }
                    for e in expenditures
                ),
                municipality=municipality,
                programme=programme_,
                user=None,
            )
        keys = [e.duplicate_key for e in built]
        return list(
            Expenditure.objects.filter(municipality=municipality, duplicate_key__in=keys).order_by(
                "pk"
            )
        )


class YearClosingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = YearClosing
        django_get_or_create = ["municipality", "year"]

    municipality = factory.SubFactory(MunicipalityFactory)
    year = 2022
