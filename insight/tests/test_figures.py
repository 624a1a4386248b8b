"""The finance pages' cached figures are never older than the books: after every kind of
write the dashboard served from the cache is the dashboard rendered from scratch."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from finance import services
from finance.factories import AllocationFactory, ExpenditureFactory
from finance.mergers import merge_municipalities
from finance.models import Expenditure
from finance.selectors import finance_programme, finance_totals
from insight.figures import cached_finance_totals
from plans.factories import InterventionFactory, PlanFactory, goal
from plans.models import Allocation, InterventionBudget

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


@pytest.fixture
def books(world):
    """Middelburg and Vlissingen with an allocation, a plan with a budgeted intervention and
    an expenditure each; Middelburg's finance officer signed in."""
    for organisation, amount in ((world.middelburg, "100000.00"), (world.vlissingen, "40000.00")):
        municipality = organisation.municipality
        AllocationFactory(municipality=municipality, amount=Decimal(amount))
        intervention = InterventionFactory(
            plan=PlanFactory(municipality=municipality),
            goal=goal("bovenschools"),
            budgets={2022: "30000.00", 2023: "20000.00"},
        )
        ExpenditureFactory(
            municipality=municipality,
            intervention=intervention,
            goal=intervention.goal,
            date=datetime.date(2022, 3, 1),
            amount=Decimal("1200.00"),
        )
    return world


def dashboard(client, municipality) -> str:
    response = client.get(reverse("finance:dashboard", args=[municipality.code]))
    assert response.status_code == 200
    return CSRF.sub("", response.content.decode())


def rendered_from_scratch(client, municipality) -> str:
    cache.clear()
    return dashboard(client, municipality)


def _create(world, user):
    services.create_expenditure(
        municipality=world.middelburg.municipality,
        user=user,
        date=datetime.date(2023, 5, 2),
        amount=Decimal("999.99"),
        goal=goal("zorg_welzijn"),
        description="Extra begeleiding",
    )


def _update(world, user):
    expenditure = Expenditure.objects.get(municipality=world.middelburg.municipality)
    services.update_expenditure(expenditure=expenditure, user=user, amount=Decimal("1500.00"))


def _delete(world, user):
    expenditure = Expenditure.objects.get(municipality=world.middelburg.municipality)
    services.delete_expenditure(expenditure=expenditure, user=user)


def _import(world, user):
    data = (
        b"datum;bedrag;bestedingsdoel;interventie;omschrijving;leverancier;factuurnummer\n"
        b"01-02-2023;2.500,00;1;;Huiswerkklas;Bureau Leren;F-1\n"
    )
    services.import_expenditures(municipality=world.middelburg.municipality, data=data, user=user)


def _payment(world, user):
    services.record_payment(
        municipality=world.middelburg.municipality,
        user=user,
        date=datetime.date(2022, 9, 20),
        amount=Decimal("4166.67"),
    )


def _allocation(world, user):
    Allocation.objects.filter(municipality=world.middelburg.municipality).update(
        amount=Decimal("120000.00")
    )


def _budget(world, user):
    budget = InterventionBudget.objects.get(
        intervention__plan__municipality=world.middelburg.municipality, year=2023
    )
    budget.amount = Decimal("25000.00")
    budget.save()


def _intervention(world, user):
    intervention = world.middelburg.municipality.plans.get().interventions.get()
    intervention.title = "Zomerschool met een nieuwe naam"
    intervention.save()


def _close_year(world, user):
    services.close_year(municipality=world.middelburg.municipality, year=2022, user=user)


def _period(world, user):
    programme = finance_programme()
    programme.end = datetime.date(2022, 2, 28)
    programme.save()


def _merger(world, user):
    merge_municipalities(
        successor=world.middelburg.municipality,
        predecessors=[world.vlissingen.municipality],
        day=datetime.date(2023, 1, 1),
        move_users=False,
        user=None,
    )


WRITES = {
    "new expenditure": _create,
    "edited expenditure": _update,
    "deleted expenditure": _delete,
    "import": _import,
    "payment": _payment,
    "allocation (queryset update)": _allocation,
    "budget": _budget,
    "intervention title": _intervention,
    "closed year": _close_year,
    "spending period": _period,
    "merger": _merger,
}


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_the_cached_dashboard_follows_every_write_to_the_books(client, books, write):
    officer = books.middelburg.finance_officer
    municipality = books.middelburg.municipality
    client.force_login(officer)
    before = dashboard(client, municipality)
    assert dashboard(client, municipality) == before  # from the cache now

    write(books, officer)

    after = dashboard(client, municipality)
    assert after != before
    assert after == rendered_from_scratch(client, municipality)


def test_a_write_elsewhere_leaves_the_cached_figures_in_place(client, books):
    client.force_login(books.middelburg.finance_officer)
    municipality = books.middelburg.municipality
    dashboard(client, municipality)
    with CaptureQueriesContext(connection) as cached:
        dashboard(client, municipality)
    _ = Expenditure.objects.filter(municipality=books.vlissingen.municipality).update(
        amount=Decimal("5.00")
    )
    with CaptureQueriesContext(connection) as after_write_elsewhere:
        dashboard(client, municipality)
    assert len(after_write_elsewhere) == len(cached)
    cache.clear()
    with CaptureQueriesContext(connection) as computed:
        dashboard(client, municipality)
    # Served from the cache, the page skips finance_totals' queries.
    assert len(cached) < len(computed) - 8


def test_each_language_gets_its_own_rendering(client, books):
    client.force_login(books.middelburg.finance_officer)
    municipality = books.middelburg.municipality
    dutch = dashboard(client, municipality)
    client.cookies["django_language"] = "en"
    english = dashboard(client, municipality)
    assert "Per jaar" in dutch and "Per jaar" not in english
    assert "Per year" in english


def test_the_cached_totals_are_the_totals(books):
    municipality = books.middelburg.municipality
    assert cached_finance_totals(municipality=municipality) == finance_totals(
        municipality=municipality
    )
    day = datetime.date(2023, 12, 31)
    assert cached_finance_totals(municipality=municipality, today=day) == finance_totals(
        municipality=municipality, today=day
    )
    assert cached_finance_totals(municipality=municipality, today=day) != cached_finance_totals(
        municipality=municipality
    )


def test_the_grant_and_its_changes_are_read_in_one_query(db, django_assert_num_queries):
    """Issue 32: `figures_key` reads the grant's members and their money changes at once;
    the same members, in the same order, and the same count as the two queries did."""
    from accounts.factories import MunicipalityFactory
    from accounts.selectors import grant_members
    from insight.figures import figures_key, grant_and_changes
    from insight.models import MoneyChange
    from insight.selectors import thread_key
    from npo_portal.changelog import logged_changes
    from schools.models import NeedsChange

    day = datetime.date(2024, 6, 1)
    city = MunicipalityFactory()
    merged = [
        MunicipalityFactory(successor=city, valid_until=datetime.date(2022, 12, 31)),
        MunicipalityFactory(successor=city, valid_until=datetime.date(2021, 12, 31)),
        MunicipalityFactory(successor=city, valid_until=datetime.date(2025, 12, 31)),  # later
    ]
    earlier = MunicipalityFactory(successor=merged[0], valid_until=datetime.date(2019, 12, 31))
    alone = MunicipalityFactory()
    AllocationFactory(municipality=earlier, amount=Decimal("100.00"))
    AllocationFactory(municipality=merged[2], amount=Decimal("100.00"))
    AllocationFactory(municipality=alone, amount=Decimal("100.00"))

    for municipality in (city, merged[0], earlier, alone):
        members = [member.pk for member in grant_members(municipality=municipality, on=day)]
        changes = logged_changes(MoneyChange, municipality_ids=members)
        with django_assert_num_queries(1):
            assert grant_and_changes(municipality=municipality, on=day) == (members, (changes,))
        with django_assert_num_queries(1):
            assert figures_key(municipality=municipality, on=day) == (
                f"{'.'.join(map(str, members))}:{day.isoformat()}:{changes}"
            )
    assert grant_and_changes(municipality=city, on=day)[0] == [
        city.pk,
        merged[1].pk,
        merged[0].pk,
        earlier.pk,
    ]
    (before,) = grant_and_changes(municipality=city, on=day)[1]
    Allocation.objects.filter(municipality=earlier).update(amount=Decimal("5.00"))
    assert grant_and_changes(municipality=city, on=day)[1] > (before,)
    assert grant_and_changes(municipality=alone, on=day)[1] == (
        logged_changes(MoneyChange, municipality_ids=[alone.pk]),
    )
    # The golden thread's key: the money's and the needs' logs with the members, at once.
    with django_assert_num_queries(1):
        members, key = thread_key(municipality=city, today=day)
    assert members == grant_and_changes(municipality=city, on=day)[0]
    assert key == (
        f"{figures_key(municipality=city, on=day)}"
        f":{logged_changes(NeedsChange, municipality_ids=members)}"
    )
