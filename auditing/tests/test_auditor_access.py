"""The auditor's access: granted for one municipality and a window, ended by itself or by a
revocation, checked on every request, and every request logged for the municipality."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from auditing import services
from auditing.factories import AuditorGrantFactory, auditor_of
from auditing.models import AuditorAccess, AuditorGrant
from plans.factories import PlanFactory

TODAY = timezone.localdate
DAY = datetime.timedelta(days=1)


def test_the_finance_officer_grants_a_new_auditor_who_is_invited(world, mailoutbox):
    municipality = world.middelburg.municipality
    grant = services.grant_auditor_access(
        municipality=municipality,
        granted_by=world.middelburg.finance_officer,
        email="a.jansen@accountants.example",
        first_name="Anne",
        last_name="Jansen",
        valid_from=TODAY(),
        valid_until=TODAY() + 30 * DAY,
    )
    auditor = grant.auditor
    assert (auditor.role, auditor.municipality, auditor.has_usable_password()) == (
        Role.AUDITOR,
        municipality,
        False,
    )
    assert grant.granted_by == world.middelburg.finance_officer
    assert grant.is_active_on(TODAY())
    assert not grant.is_active_on(TODAY() + 31 * DAY)


@pytest.mark.parametrize("who", ["policy_officer", "board_user", "other_finance_officer"])
def test_only_the_own_finance_officer_or_the_administrator_grants(world, who):
    user = (
        world.vlissingen.finance_officer
        if who == "other_finance_officer"
        else getattr(world.middelburg, who)
    )
    with pytest.raises(PermissionDenied):
        services.grant_auditor_access(
            municipality=world.middelburg.municipality,
            granted_by=user,
            email="x@accountants.example",
            valid_from=TODAY(),
            valid_until=TODAY(),
        )
    grant = services.grant_auditor_access(
        municipality=world.middelburg.municipality,
        granted_by=world.functional_admin,
        email="x@accountants.example",
        valid_from=TODAY(),
        valid_until=TODAY(),
    )
    assert grant.granted_by == world.functional_admin


def test_a_window_that_ends_before_it_starts_or_in_the_past_is_refused(world):
    for start, end in ((TODAY(), TODAY() - DAY), (TODAY() - 9 * DAY, TODAY() - DAY)):
        with pytest.raises(ValidationError):
            services.grant_auditor_access(
                municipality=world.middelburg.municipality,
                granted_by=world.middelburg.finance_officer,
                email="x@accountants.example",
                valid_from=start,
                valid_until=end,
            )
    assert not AuditorGrant.objects.exists()
    assert not User.objects.filter(role=Role.AUDITOR).exists()  # nothing half-saved


def test_an_auditor_of_another_municipality_gets_no_access_here(world):
    stranger = auditor_of(world.vlissingen.municipality, "vls-accountant")
    with pytest.raises(ValidationError):
        services.grant_auditor_access(
            municipality=world.middelburg.municipality,
            granted_by=world.middelburg.finance_officer,
            auditor=stranger,
            valid_from=TODAY(),
            valid_until=TODAY(),
        )


def test_the_access_ends_by_itself_in_the_middle_of_a_session(client, world):
    grant = AuditorGrantFactory(municipality=world.middelburg.municipality)
    client.force_login(grant.auditor)
    dashboard = reverse("finance:dashboard", kwargs={"code": "GM0687"})
    assert client.get(dashboard).status_code == 200
    AuditorGrant.objects.filter(pk=grant.pk).update(valid_until=TODAY() - DAY)
    response = client.get(dashboard)
    assert response.status_code == 403
    assert "Vandaag geen toegang als accountant." in response.content.decode()


def test_a_revoked_access_ends_at_once(client, world):
    grant = AuditorGrantFactory(municipality=world.middelburg.municipality)
    client.force_login(world.middelburg.finance_officer)
    page = reverse("auditing:grants", kwargs={"code": "GM0687"})
    response = client.post(reverse("auditing:revoke", args=["GM0687", grant.pk]))
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.revoked_by == world.middelburg.finance_officer
    client.force_login(grant.auditor)
    assert client.get(reverse("reporting:report-list", args=["GM0687"])).status_code == 403
    client.force_login(world.middelburg.finance_officer)
    assert "Ingetrokken" in client.get(page).content.decode()


def test_every_request_of_an_auditor_is_logged_and_the_municipality_reads_the_log(client, world):
    grant = AuditorGrantFactory(municipality=world.middelburg.municipality)
    client.force_login(grant.auditor)
    client.get(reverse("finance:expenditure-list", args=["GM0687"]))
    client.post(reverse("finance:expenditure-create", args=["GM0687"]), {"amount": "1"})
    client.get(reverse("plans:home"))
    entries = list(AuditorAccess.objects.order_by("pk"))
    assert [(e.method, e.view_name, e.allowed) for e in entries] == [
        ("GET", "finance:expenditure-list", True),
        ("POST", "finance:expenditure-create", False),
        ("GET", "plans:home", False),
    ]
    assert all(
        e.grant == grant and e.municipality == world.middelburg.municipality for e in entries
    )
    client.force_login(world.middelburg.finance_officer)
    body = client.get(reverse("auditing:grants", args=["GM0687"])).content.decode()
    assert "/financien/GM0687/uitgaven/" in body
    assert "Geweigerd" in body
    client.force_login(world.vlissingen.finance_officer)
    assert client.get(reverse("auditing:grants", args=["GM0687"])).status_code == 404


def test_the_finance_officer_grants_access_on_the_page(client, world):
    client.force_login(world.middelburg.finance_officer)
    page = reverse("auditing:grants", kwargs={"code": "GM0687"})
    response = client.post(
        page,
        {
            "email": "b.bakker@accountants.example",
            "first_name": "Bram",
            "last_name": "Bakker",
            "valid_from": TODAY().strftime("%d-%m-%Y"),
            "valid_until": (TODAY() + 60 * DAY).strftime("%d-%m-%Y"),
        },
        follow=True,
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Bram Bakker" in body
    assert (TODAY() + 60 * DAY).strftime("%d-%m-%Y") in body
    client.force_login(world.middelburg.policy_officer)
    assert client.get(page).status_code == 403


def test_the_auditors_home_names_the_window_and_what_it_opens(client, world):
    grant = AuditorGrantFactory(municipality=world.middelburg.municipality)
    PlanFactory(municipality=world.middelburg.municipality, title="Herstelplan Middelburg")
    client.force_login(grant.auditor)
    response = client.get("/", follow=True)
    body = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("auditing:home")
    assert grant.valid_until.strftime("%d-%m-%Y") in body
    assert reverse("reporting:report-list", args=["GM0687"]) in body
    assert "Geschiedenis van het plan “Herstelplan Middelburg”" in body


def test_the_demo_auditor_reads_middelburg_for_a_year_and_seeding_twice_changes_nothing(db):
    from accounts.demo import DEMO_PASSWORD
    from accounts.demo import seed_demo as seed_users
    from auditing.demo import seed_demo

    seed_users()
    seed_demo()
    seed_demo()
    (grant,) = AuditorGrant.objects.all()
    assert grant.auditor.username == "accountant"
    assert grant.auditor.check_password(DEMO_PASSWORD)
    assert (grant.municipality.code, grant.valid_until - grant.valid_from) == ("GM0687", 365 * DAY)
