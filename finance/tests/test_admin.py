import pytest
from django.urls import reverse

from finance.factories import ExpenditureFactory, PaymentFactory
from finance.models import YearClosing


@pytest.mark.parametrize(
    "model", ["expenditure", "payment", "paymentscheduleentry", "yearclosing", "expenditureimport"]
)
def test_functional_admin_opens_every_finance_list(client, world, model):
    ExpenditureFactory(municipality=world.middelburg.municipality)
    PaymentFactory(municipality=world.middelburg.municipality)
    client.force_login(world.functional_admin)
    assert client.get(reverse(f"admin:finance_{model}_changelist")).status_code == 200


def test_closing_a_year_in_the_admin_goes_through_the_service(client, world):
    client.force_login(world.functional_admin)
    response = client.post(
        reverse("admin:finance_yearclosing_add"),
        {"municipality": world.middelburg.municipality.pk, "year": 2022, "note": "SiSa 2022"},
    )
    assert response.status_code == 302
    closing = YearClosing.objects.get()
    assert (closing.year, closing.closed_by) == (2022, world.functional_admin)


def test_the_admin_speaks_dutch_and_writes_years_as_years(client, world):
    from finance.services import close_year

    close_year(municipality=world.middelburg.municipality, year=2022, user=None)
    client.force_login(world.functional_admin)
    body = client.get(reverse("admin:finance_yearclosing_changelist")).content.decode()
    assert ">2022<" in body and "2.022" not in body
    index = client.get(reverse("admin:index")).content.decode()
    assert "Model name" not in index and "Access attempts" not in index
    assert "Inlogpogingen" in index
