import datetime
from dataclasses import dataclass
from decimal import Decimal
from importlib import import_module

import pytest
from django.apps import apps

from finance.factories import AllocationFactory, ExpenditureFactory, PaymentFactory
from plans.factories import InterventionFactory, PlanFactory, goal
from plans.models import PlanStatus, PlanTransition
from reporting.models import SisaYear


def reload_sisa_defaults() -> None:
    """Load the default reporting years as the migrations leave them (0002's years brought to
    the shape 0005 asks), after a transactional test's flush emptied them."""
    if SisaYear.objects.exists():
        return
    import_module("reporting.migrations.0002_sisa_defaults").load(apps, None)
    import_module("reporting.migrations.0005_sisa_as_asked_and_confirmation").to_asked(apps, None)


@pytest.fixture(autouse=True)
def _media_in_tmp(request, settings, tmp_path):
    """Stored reports go to a throw-away folder, except where a real worker (another
    process, with the configured MEDIA_ROOT) writes them."""
    if not request.node.get_closest_marker("celery_worker"):
        settings.MEDIA_ROOT = tmp_path / "media"


@dataclass
class HandMade:
    municipality: object
    finance_officer: object


def hand_made_data(organisation) -> HandMade:
    """Two years of Middelburg's money: every goal and category, a credit note, an
    intervention-less spending, and ineligible expenditures before and after the period.
    The expected figures are worked out by hand in test_report_figures.py."""
    municipality = organisation.municipality
    AllocationFactory(municipality=municipality, amount=Decimal("100000.00"))
    plan = PlanFactory(
        municipality=municipality,
        status=PlanStatus.ADOPTED,
        council_informed_on=datetime.date(2021, 10, 1),
        council_reference="RIB 2021-12",
    )
    PlanTransition.objects.create(
        plan=plan,
        from_status=PlanStatus.CONSULTATION,
        to_status=PlanStatus.ADOPTED,
        by=organisation.policy_officer,
        decided_on=datetime.date(2021, 9, 14),
        decision_reference="B&W 2021-77",
    )
    summer = InterventionFactory(
        plan=plan,
        code="B-01",
        title="Zomerschool",
        goal=goal("bovenschools"),
        budgets={2021: "4000.00", 2022: "6000.00"},
    )
    care = InterventionFactory(
        plan=plan,
        code="Z-01",
        title="Schoolmaatschappelijk werk",
        goal=goal("zorg_welzijn"),
        budgets={2022: "5000.00"},
    )
    PaymentFactory(
        municipality=municipality, date=datetime.date(2021, 12, 20), amount=Decimal("20833.33")
    )
    PaymentFactory(
        municipality=municipality, date=datetime.date(2022, 3, 1), amount=Decimal("4166.67")
    )
    rows = [
        (datetime.date(2021, 6, 30), "500.00", "bovenschools", None),  # before the period
        (datetime.date(2021, 9, 1), "1000.00", "bovenschools", summer),
        (datetime.date(2021, 10, 1), "200.00", "voorschools", None),
        (datetime.date(2022, 1, 10), "2500.50", "bovenschools", summer),
        (datetime.date(2022, 2, 10), "-250.25", "bovenschools", summer),  # credit note
        (datetime.date(2022, 3, 10), "300.00", "voorschools", None),
        (datetime.date(2022, 4, 10), "1234.56", "zorg_welzijn", care),
        (datetime.date(2022, 5, 10), "111.11", "samenwerking", None),
        (datetime.date(2022, 6, 10), "222.22", "thuiszitters", None),
        (datetime.date(2022, 7, 10), "333.33", "huisvesting", None),
        (datetime.date(2022, 8, 10), "444.44", "capaciteit", None),
        (datetime.date(2025, 8, 15), "700.00", "capaciteit", None),  # after the period
    ]
    for day, amount, code, intervention in rows:
        ExpenditureFactory(
            municipality=municipality,
            date=day,
            amount=Decimal(amount),
            goal=goal(code),
            intervention=intervention,
            description=f"Uitgave {code} {day:%d-%m-%Y}",
        )
    return HandMade(municipality=municipality, finance_officer=organisation.finance_officer)


@pytest.fixture
def hand_made(world) -> HandMade:
    return hand_made_data(world.middelburg)


@pytest.fixture
def only_the_world_exists(world):
    """Batches cover every municipality of the year; keep them to the world's two."""
    from accounts.models import Municipality

    Municipality.objects.exclude(
        pk__in=[world.middelburg.municipality.pk, world.vlissingen.municipality.pk]
    ).update(valid_from=datetime.date(2020, 1, 1), valid_until=datetime.date(2020, 12, 31))


@pytest.fixture(autouse=True)
def _sisa_confirmed(db):
    """Reports are marked final in many tests; the unconfirmed default (which blocks that) is
    tested on its own, in test_finalising.py."""
    from reporting.models import SisaYear

    SisaYear.objects.update(grant_code_confirmed=True)
