"""The national monitor: its figures add up to every municipality's own finance_totals,
stay exact when money changes, and only the monitor role and the administrator see it."""

import datetime
import re
from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from accounts.factories import UserFactory
from accounts.models import Municipality, Role
from dataset.generator import generate
from finance.factories import AllocationFactory, ExpenditureFactory
from finance.models import Expenditure
from finance.selectors import finance_totals
from finance.summary import refresh_spending_summary
from insight.models import MonitorFigures
from insight.selectors import national_monitor
from tests.test_isolation import OTHER_ORGANISATION_KWARGS, UNPARAMETERISED_VIEWS

YEAR = 2023


@pytest.fixture
def monitor_user(db):
    return UserFactory(
        username="programmabureau", role=Role.MONITOR, municipality=None, school_board=None
    )


@pytest.mark.usefixtures("small_register")
def test_national_figures_equal_the_sum_of_every_municipalitys_own_finance_totals():
    # Three municipalities plus Amsterdam (with Weesp merged in) and Voorne aan Zee (with
    # its three predecessors): each grant must be counted once, in its successor.
    generate(
        municipalities=3,
        codes=["GM0363", "GM1992"],
        schools=60,
        expenditures=3000,
        seed=3,
    )
    monitor = national_monitor(year=YEAR)
    listed = list(Municipality.objects.existing_on(datetime.date(YEAR, 12, 31)))
    assert sorted(r.municipality.code for r in monitor.rows) == sorted(m.code for m in listed)
    own = [finance_totals(municipality=m, today=datetime.date(YEAR, 12, 31)) for m in listed]
    assert monitor.total.allocation == sum((t.allocation for t in own), Decimal(0))
    assert monitor.total.spent_year == sum((t.year(YEAR).spent for t in own), Decimal(0))
    assert monitor.total.spent_cumulative == sum((t.year(YEAR).cumulative for t in own), Decimal(0))
    assert monitor.total.received == sum(
        (t.year(YEAR).cumulative_received for t in own), Decimal(0)
    )
    assert monitor.total.at_risk == sum((t.at_risk for t in own), Decimal(0))
    assert monitor.total.spent_cumulative > 0
    # The groups add up to the nation too.
    for groups in (monitor.provinces, monitor.size_classes):
        assert sum((g.spent_cumulative for g in groups), Decimal(0)) == (
            monitor.total.spent_cumulative
        )
    # The generated allocations carry the pupils they count, so every municipality with a
    # grant has a size class (the register's others have none to count).
    granted = {r.municipality.code for r in monitor.rows if r.allocation}
    assert {"GM0363", "GM1992"} <= granted
    assert granted == {
        r.municipality.code for r in monitor.rows if r.size_class not in {"onbekend", "unknown"}
    }
    amsterdam = next(r for r in monitor.rows if r.municipality.code == "GM0363")
    assert amsterdam.predecessors == ["Weesp"]
    assert amsterdam.province == "Noord-Holland"
    # The chart's last month is the cumulative spending over the programme period.
    assert monitor.months[-1][1] == sum((t.months[-1].cumulative_spent for t in own), Decimal(0))


@pytest.mark.usefixtures("small_register")
def test_figures_follow_a_new_expenditure_and_nothing_else_recomputes(world, monitor_user):
    mdb, vls = world.middelburg.municipality, world.vlissingen.municipality
    AllocationFactory(municipality=mdb, amount=Decimal("10000.00"))
    AllocationFactory(municipality=vls, amount=Decimal("20000.00"))
    ExpenditureFactory(municipality=mdb, date=datetime.date(2023, 2, 1), amount=Decimal("100.00"))
    first = national_monitor(year=YEAR)
    row = next(r for r in first.rows if r.municipality == mdb)
    assert (row.spent_year, row.spent_cumulative) == (Decimal("100.00"), Decimal("100.00"))
    vlissingen_computed = MonitorFigures.objects.get(municipality=vls, year=YEAR).computed_at

    ExpenditureFactory(municipality=mdb, date=datetime.date(2023, 3, 1), amount=Decimal("50.00"))
    second = national_monitor(year=YEAR)
    row = next(r for r in second.rows if r.municipality == mdb)
    assert row.spent_year == Decimal("150.00")
    assert row.share_spent == Decimal("1.5")
    # Vlissingen's money did not change, so its stored figures were not recomputed.
    assert MonitorFigures.objects.get(municipality=vls, year=YEAR).computed_at == (
        vlissingen_computed
    )
    # A bulk update around the services (no signal sees it) leaves the spending summary,
    # and so finance_totals, as it was until the summary is rebuilt: the monitor follows
    # finance_totals in between, and the summary's rebuild (caught by its own trigger, with
    # no expenditure written) moves the figures computed in between.
    Expenditure.objects.filter(municipality=mdb).update(amount=Decimal("1.00"))
    row = next(r for r in national_monitor(year=YEAR).rows if r.municipality == mdb)
    assert row.spent_year == own_spent_year(mdb) == Decimal("150.00")
    refresh_spending_summary(municipality_ids=[mdb.pk])
    row = next(r for r in national_monitor(year=YEAR).rows if r.municipality == mdb)
    assert row.spent_year == own_spent_year(mdb) == Decimal("2.00")


def own_spent_year(municipality) -> Decimal:
    return (
        finance_totals(municipality=municipality, today=datetime.date(YEAR, 12, 31))
        .year(YEAR)
        .spent
    )


@pytest.mark.usefixtures("small_register")
def test_the_query_count_does_not_grow_with_the_municipalities(client, world, monitor_user):
    client.force_login(monitor_user)
    url = reverse("insight:monitor") + f"?jaar={YEAR}"
    client.get(url)  # computes the figures once
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for index in range(15):
        AllocationFactory(
            municipality=Municipality.objects.create(
                code=f"GM9{index:03d}", name=f"Testgemeente {index}"
            )
        )
    client.get(url)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(many.captured_queries) == len(few.captured_queries) <= 20
    assert "Testgemeente 14" in response.content.decode()


@pytest.mark.usefixtures("small_register")
def test_the_page_and_the_xlsx_show_one_row_per_municipality(client, world, monitor_user):
    AllocationFactory(municipality=world.middelburg.municipality, amount=Decimal("1000.00"))
    ExpenditureFactory(
        municipality=world.middelburg.municipality,
        date=datetime.date(2023, 5, 1),
        amount=Decimal("250.00"),
        description="=HYPERLINK(geheim)",
    )
    client.force_login(monitor_user)
    page = client.get(reverse("insight:monitor") + f"?jaar={YEAR}").content.decode()
    text = re.sub(r"\s+", " ", page)
    assert "Landelijke monitor 2023" in text
    assert "€ 250,00" in text and "25,0%" in text
    assert "HYPERLINK" not in text  # no expenditure lines, no texts
    assert world.middelburg.policy_officer.username not in text
    workbook = load_workbook(
        BytesIO(client.get(reverse("insight:monitor-xlsx") + f"?jaar={YEAR}").content)
    )
    rows = list(workbook.active.iter_rows(min_row=2, values_only=True))
    existing = Municipality.objects.existing_on(datetime.date(YEAR, 12, 31)).count()
    assert len(rows) == existing
    middelburg = next(r for r in rows if r[0] == "GM0687")
    assert (middelburg[2], middelburg[7], middelburg[8]) == ("Zeeland", 250, 25)


@pytest.mark.usefixtures("small_register")
def test_only_the_monitor_and_the_administrator_see_the_monitor(client, world, monitor_user):
    for user in (monitor_user, world.functional_admin):
        client.force_login(user)
        assert client.get(reverse("insight:monitor")).status_code == 200
        assert client.get(reverse("insight:monitor-xlsx")).status_code == 200
    auditor = UserFactory(
        username="acc", role=Role.AUDITOR, municipality=world.middelburg.municipality
    )
    for user in (
        world.middelburg.policy_officer,
        world.middelburg.finance_officer,
        world.middelburg.board_user,
        auditor,
    ):
        client.force_login(user)
        assert client.get(reverse("insight:monitor")).status_code == 403
        assert client.get(reverse("insight:monitor-xlsx")).status_code == 403


def own_account_views() -> set[str]:
    """The pages of one's own account: everything under the profile's address (profile,
    password, two-factor authentication, sessions) acts on the signed-in user alone, so every
    user, a monitor user too, may reach them."""
    profile = reverse("identity:profile")
    return {name for name in UNPARAMETERISED_VIEWS if reverse(name).startswith(profile)}


# The pages of one's own account that a monitor user reads.
OWN_PAGES = {
    "identity:profile",
    "identity:password-change",
    "identity:two-factor-setup",
    "identity:sessions",
}


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_monitor_user_reaches_no_municipality_page_beyond_the_monitor(
    client, world, monitor_user, method
):
    """Every URL the resolver knows: parameterised ones refuse, the pages of the user's own
    account answer, and the others refuse or show nothing of any municipality."""
    client.force_login(monitor_user)
    checked = 0
    for name, kwargs_for in OTHER_ORGANISATION_KWARGS.items():
        for organisation in (world.middelburg, world.vlissingen):
            response = getattr(client, method)(reverse(name, kwargs=kwargs_for(organisation)))
            assert response.status_code in {403, 404, 405}, f"{name}: {response.status_code}"
            checked += 1
    markers = [
        world.middelburg.municipality.name,
        world.middelburg.municipality.code,
        world.vlissingen.municipality.name,
        world.vlissingen.municipality.code,
        world.middelburg.board.name,
        world.vlissingen.board.name,
        world.middelburg.policy_officer.username,
    ]
    own = own_account_views()
    assert OWN_PAGES | {"identity:recovery-codes", "identity:two-factor-remove"} <= own
    for name in sorted(
        UNPARAMETERISED_VIEWS - {"logout", "insight:monitor", "insight:monitor-xlsx"}
    ):
        response = getattr(client, method)(reverse(name))
        body = response.content.decode(errors="replace")
        # 405: a page that only answers the other method (a POST-only action, a GET-only list);
        # 403 on an own page: an action the account's state refuses (new recovery codes
        # without an authenticator).
        assert response.status_code in {200, 302, 403, 404, 405}, f"{name}: {response.status_code}"
        if name in own and method == "get" and name in OWN_PAGES:
            assert response.status_code == 200, f"{name}: {response.status_code}"
        for marker in markers:
            assert marker not in body, f"{name} shows {marker!r}"
        checked += 1
    assert checked > 2 * len(OTHER_ORGANISATION_KWARGS)
