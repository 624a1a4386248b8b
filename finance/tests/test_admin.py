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
