"""The expenditure list's table comes from the cache while the municipality's books, the
address and what the user may do are unchanged."""

import datetime

from finance.factories import ExpenditureFactory
from finance.models import Expenditure
from finance.services import close_year
from finance.tests.test_expenditure_list import list_url


def body(client, user, municipality, params=None) -> str:
    client.force_login(user)
    return client.get(list_url(municipality), params or {}).content.decode()


def test_the_cached_table_follows_each_change_of_the_books_at_once(client, world):
    municipality = world.middelburg.municipality
    officer = world.middelburg.finance_officer
    row = ExpenditureFactory(
        municipality=municipality, description="Voorleesproject", date=datetime.date(2022, 3, 1)
    )
    assert "Voorleesproject" in body(client, officer, municipality)
    assert "Voorleesproject" in body(client, officer, municipality)  # from the cache
    ExpenditureFactory(municipality=municipality, description="Taalklas")
    assert "Taalklas" in body(client, officer, municipality)
    Expenditure.objects.filter(pk=row.pk).update(description="Rekenproject")
    page = body(client, officer, municipality)
    assert "Rekenproject" in page and "Voorleesproject" not in page
    edit = list_url(municipality, "expenditure-update", pk=row.pk)
    assert edit in page
    close_year(municipality=municipality, year=2022, user=None)
    assert edit not in body(client, officer, municipality)


def test_the_cached_table_follows_the_address_and_what_the_user_may_do(client, world):
    municipality = world.middelburg.municipality
    row = ExpenditureFactory(municipality=municipality, description="Voorleesproject")
    edit = list_url(municipality, "expenditure-update", pk=row.pk)
    officers = [world.middelburg.policy_officer, world.middelburg.finance_officer]
    for order in (officers, officers[::-1]):
        for user in order:
            page = body(client, user, municipality)
            assert "Voorleesproject" in page
            assert (edit in page) == (user == world.middelburg.finance_officer)
    ineligible = body(client, officers[1], municipality, {"subsidiabel": "niet"})
    assert "Voorleesproject" not in ineligible
    assert "subsidiabel=niet" in ineligible  # the export links carry the address's filter


def test_the_cached_table_is_the_municipalitys_own(client, world):
    for organisation, text in ((world.middelburg, "Middelburgs"), (world.vlissingen, "Vlissings")):
        ExpenditureFactory(municipality=organisation.municipality, description=text)
    middelburg = body(client, world.middelburg.finance_officer, world.middelburg.municipality)
    vlissingen = body(client, world.vlissingen.finance_officer, world.vlissingen.municipality)
    assert "Middelburgs" in middelburg and "Vlissings" not in middelburg
    assert "Vlissings" in vlissingen and "Middelburgs" not in vlissingen
