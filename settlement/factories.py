import datetime
from decimal import Decimal

import factory

from accounts.factories import MunicipalityFactory
from plans.factories import programme
from settlement.deadlines import objection_deadline
from settlement.models import Closure, Repayment, Settlement


class SettlementFactory(factory.django.DjangoModelFactory):
    """A recorded decision that agrees with the portal's expected figures."""

    class Meta:
        model = Settlement

    programme = factory.LazyFunction(programme)
    municipality = factory.SubFactory(MunicipalityFactory)
    decided_on = datetime.date(2027, 11, 19)
    sent_on = datetime.date(2027, 11, 19)
    reference = factory.Sequence(lambda n: f"OCW/NPO/VS/{n + 1:05d}")
    allocation = Decimal("1214683.00")
    received = Decimal("1214683.00")
    amount_set = Decimal("1200000.00")
    amount_to_repay = Decimal("14683.00")
    expected_allocation = factory.SelfAttribute("allocation")
    expected_received = factory.SelfAttribute("received")
    expected_amount_set = factory.SelfAttribute("amount_set")
    expected_amount_to_repay = factory.SelfAttribute("amount_to_repay")
    objection_deadline = factory.LazyAttribute(lambda s: objection_deadline(sent_on=s.sent_on))


class RepaymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Repayment

    settlement = factory.SubFactory(SettlementFactory)
    date = datetime.date(2028, 1, 14)
    amount = factory.LazyAttribute(lambda r: r.settlement.amount_to_repay)
    reference = "Terugbetaling vaststelling"


class ClosureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Closure

    settlement = factory.SubFactory(SettlementFactory)
    municipality = factory.LazyAttribute(lambda c: c.settlement.municipality)
