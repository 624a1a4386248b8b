import datetime
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.utils import timezone

from api.models import Scope
from api.services import issue_token
from finance.factories import ExpenditureFactory, PaymentFactory
from finance.models import Expenditure
from reporting.factories import AccountabilityReportFactory
from reporting.models import AccountabilityReport
from schools.factories import NeedsAnswerFactory, NeedsRoundFactory
from schools.models import NeedsRound


def make_token(organisation, *, scopes=(Scope.READ, Scope.WRITE_EXPENDITURES), name="Key2"):
    return issue_token(
        municipality=organisation.municipality,
        user=organisation.finance_officer,
        name=name,
        scopes=list(scopes),
        expires_on=timezone.localdate() + datetime.timedelta(days=30),
    )


@pytest.fixture(autouse=True)
def _fresh_throttle():
    """Throttle counts live in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def token(world):
    """A read-and-write token of Middelburg."""
    return make_token(world.middelburg)


@pytest.fixture
def api(client, token):
    """The test client sending Middelburg's token."""

    def call(method, path, data=None, *, secret=None, **extra):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {secret or token.secret}", **extra}
        if data is not None:
            return getattr(client, method)(path, data, content_type="application/json", **headers)
        return getattr(client, method)(path, **headers)

    return call


def row(**overrides):
    """One valid expenditure row as the financial system sends it."""
    return {
        "datum": "2023-03-01",
        "bedrag": "750.00",
        "bestedingsdoel": "bovenschools",
        "omschrijving": "Zomerschool week 1",
        "leverancier": "Stichting Zomerschool Zeeland",
        "factuurnummer": "F-2023-001",
        **overrides,
    }


@dataclass
class Marked:
    expenditure: Expenditure
    report: AccountabilityReport
    needs_round: NeedsRound


def marked_data(organisation, marker: str) -> Marked:
    """One of each thing the API shows of the municipality (expenditure, payment, final
    report, needs round with an answer), each carrying `marker`: a response of another
    municipality's token that contains it has leaked."""
    municipality = organisation.municipality
    expenditure = ExpenditureFactory(
        municipality=municipality, description=f"{marker} zomerschool", invoice_number=marker
    )
    PaymentFactory(municipality=municipality, reference=marker)
    report = AccountabilityReportFactory(municipality=municipality, done=True, is_final=True)
    needs_round = NeedsRoundFactory(municipality=municipality, title=f"{marker} peiling")
    NeedsAnswerFactory(
        round=needs_round, school=organisation.school, submitted=True, free_text=marker
    )
    return Marked(expenditure=expenditure, report=report, needs_round=needs_round)
