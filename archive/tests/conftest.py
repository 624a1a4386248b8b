import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone

from finance.factories import AllocationFactory, ExpenditureFactory, PaymentFactory
from plans.factories import InterventionFactory, PlanFactory, PlanVersionFactory
from reporting.factories import AccountabilityReportFactory
from schools.factories import NeedsAnswerFactory, NeedsRoundFactory


@pytest.fixture(autouse=True)
def _files_in_a_temporary_media_root(request, settings, tmp_path):
    """Packages go to a throw-away folder, except where a real worker (another process, with
    the configured MEDIA_ROOT) writes them."""
    if not request.node.get_closest_marker("celery_worker"):
        settings.MEDIA_ROOT = tmp_path / "media"


@dataclass
class Dossier:
    municipality: object
    intervention: object
    report: object


def build_dossier(organisation) -> Dossier:
    """A municipality's dossier with a row in every record group."""
    municipality = organisation.municipality
    plan = PlanFactory(municipality=municipality)
    intervention = InterventionFactory(plan=plan, budgets={2022: "10000.00"})
    PlanVersionFactory(plan=plan, number=1, created_by=organisation.policy_officer)
    AllocationFactory(municipality=municipality, pupils=2100)
    PaymentFactory(municipality=municipality)
    ExpenditureFactory(municipality=municipality, intervention=intervention)
    ExpenditureFactory(
        municipality=municipality,
        intervention=intervention,
        description='=HYPERLINK("http://example.invalid")',
        amount=Decimal("99.95"),
        date=datetime.date(2023, 2, 1),
    )
    answer_round = NeedsRoundFactory(municipality=municipality)
    NeedsAnswerFactory(round=answer_round, school=organisation.school, submitted=True)
    report = AccountabilityReportFactory(
        municipality=municipality,
        done=True,
        is_final=True,
        finalised_at=timezone.now(),
        finalised_by=organisation.finance_officer,
    )
    return Dossier(municipality, intervention, report)


@pytest.fixture
def dossier(world) -> Dossier:
    return build_dossier(world.middelburg)
