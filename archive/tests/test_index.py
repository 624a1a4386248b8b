"""The archive's start page and its menu entry: shown to whoever may open one of the
archive's pages (the same permission functions), each user seeing their own municipality."""

import pytest
from django.urls import reverse

from accounts.factories import UserFactory
from npo_portal.navigation import menu_for
from settlement.factories import SettlementFactory

pytestmark = pytest.mark.django_db

INDEX = "/archief/"


def archive_in_menu(user) -> bool:
    return any(entry.url == INDEX for entry in menu_for(user))


def test_the_start_page_is_at_archief():
    assert reverse("archive:index") == INDEX


def test_a_finance_officer_reaches_their_own_packages_and_not_another_municipalitys(client, world):
    officer = world.vlissingen.finance_officer
    assert archive_in_menu(officer)
    client.force_login(officer)
    page = client.get(INDEX).content.decode()
    assert "/archief/GM0718/" in page
    assert "GM0687" not in page and world.middelburg.municipality.name not in page
    # Destruction lists are for the archivist and the administrator.
    assert "/archief/GM0718/vernietiging/" not in page
    assert client.get("/archief/GM0687/").status_code == 404


def test_an_archivist_reaches_their_own_destruction_lists_only(client, world):
    archivist = UserFactory(municipality=world.middelburg.municipality, is_archivist=True)
    assert archive_in_menu(archivist)
    client.force_login(archivist)
    page = client.get(INDEX).content.decode()
    assert "/archief/GM0687/vernietiging/" in page
    assert '/archief/GM0687/"' not in page  # packages are for finance and the administrator
    assert client.get("/archief/GM0687/vernietiging/").status_code == 200
    assert client.get("/archief/GM0718/vernietiging/").status_code == 404


@pytest.mark.parametrize("role", ["policy_officer", "board_user"])
def test_who_may_open_no_archive_page_has_no_entry_and_is_refused(client, world, role):
    user = getattr(world.middelburg, role)
    assert not archive_in_menu(user)
    client.force_login(user)
    assert client.get(INDEX).status_code == 403


def test_the_administrator_sees_the_municipalities_with_something_to_archive(client, world):
    SettlementFactory(municipality=world.middelburg.municipality)
    admin = world.functional_admin
    assert archive_in_menu(admin)
    client.force_login(admin)
    page = client.get(INDEX).content.decode()
    assert "/archief/GM0687/" in page and "/archief/GM0687/vernietiging/" in page
    assert "GM0718" not in page  # nothing to archive there yet
    assert "/archief/vernietiging/" in page
