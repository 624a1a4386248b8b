"""No lost updates on expenditures."""

from decimal import Decimal

from django.test import Client

from finance.factories import ExpenditureFactory
from finance.models import Expenditure
from finance.tests.test_views import form_data, url
from plans.tests.test_concurrency import loaded_version


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
