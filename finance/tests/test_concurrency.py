"""No lost updates on expenditures."""

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.test import Client

from finance.factories import ExpenditureFactory
from finance.models import Expenditure
from finance.services import update_expenditure
from finance.tests.test_import_worker import reference_data  # noqa: F401 (a fixture)
from finance.tests.test_views import form_data, url
from npo_portal.audit import EditConflict
from plans.tests.test_concurrency import loaded_version
from tests.world import build_world


def test_saving_an_expenditure_over_a_newer_version_is_refused(world):
    municipality = world.middelburg.municipality
    expenditure = ExpenditureFactory(municipality=municipality)
    a, b = Client(), Client()
    a.force_login(world.middelburg.finance_officer)
    b.force_login(world.middelburg.finance_officer)
    edit = url("expenditure-update", municipality, pk=expenditure.pk)
    version_a, version_b = loaded_version(a.get(edit)), loaded_version(b.get(edit))
    assert b.post(edit, form_data(amount="200,00", version=version_b)).status_code == 302
    refused = a.post(edit, form_data(amount="300,00", version=version_a))
    page = refused.content.decode()
    assert "Iemand anders heeft dit intussen opgeslagen" in page
    assert "Bedrag: nu “€\xa0200,00”, van u “€\xa0300,00”" in page
    assert Expenditure.objects.get().amount == Decimal("200.00")


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
def test_two_simultaneous_saves_of_the_same_version_let_exactly_one_through():
    """Real concurrency: two connections save the version both loaded at the same moment.
    The row lock makes the second wait for the first and then see the newer version."""
    if connection.vendor != "postgresql":
        pytest.skip("Row locks need PostgreSQL; SQLite serialises writers anyway.")
    world = build_world()
    expenditure = ExpenditureFactory(municipality=world.middelburg.municipality)
    both_loaded = threading.Barrier(2)
    outcomes: list[str] = []

    def save(amount: str) -> None:
        try:
            mine = Expenditure.objects.select_related("municipality", "programme").get(
                pk=expenditure.pk
            )
            both_loaded.wait(timeout=10)
            update_expenditure(expenditure=mine, user=None, version=1, amount=Decimal(amount))
            outcomes.append("saved")
        except EditConflict:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(amount,)) for amount in ("200", "300")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["refused", "saved"]
    assert Expenditure.objects.get().version == 2
