import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from finance.factories import ExpenditureFactory
from finance.models import Expenditure, YearClosing
from finance.services import (
    close_year,
    create_expenditure,
    delete_expenditure,
    record_payment,
    update_expenditure,
)
from plans.factories import InterventionFactory, PlanFactory, goal


def new_expenditure(municipality, user, **overrides):
    fields = {
        "date": datetime.date(2023, 3, 1),
        "amount": Decimal("750.00"),
        "goal": goal("bovenschools"),
        "description": "Zomerschool",
        "supplier": "Stichting Z",
        "invoice_number": "F-1",
        **overrides,
    }
    return create_expenditure(municipality=municipality, user=user, **fields)


def test_an_expenditure_records_who_entered_it(world):
    officer = world.middelburg.finance_officer
    expenditure = new_expenditure(world.middelburg.municipality, officer)
    assert expenditure.recorded_by == officer
    assert len(expenditure.duplicate_key) == 64


def test_an_intervention_of_another_goal_is_refused(world):
    municipality = world.middelburg.municipality
    intervention = InterventionFactory(
        plan=PlanFactory(municipality=municipality), code="ZS-01", goal=goal("bovenschools")
    )
    with pytest.raises(ValidationError) as refused:
        new_expenditure(
            municipality,
            world.middelburg.finance_officer,
            goal=goal("zorg_welzijn"),
            intervention=intervention,
        )
    assert refused.value.message_dict["intervention"] == [
        "Interventie ZS-01 valt onder 'Bovenschoolse maatregelen', niet onder 'Zorg en "
        "welzijn'. Kies hetzelfde doel of een andere interventie."
    ]
    assert not Expenditure.objects.exists()


def test_an_intervention_of_another_municipalitys_plan_is_refused(world):
    foreign = InterventionFactory(plan=PlanFactory(municipality=world.vlissingen.municipality))
    with pytest.raises(ValidationError, match="hoort niet bij het plan van deze gemeente"):
        new_expenditure(
            world.middelburg.municipality, world.middelburg.finance_officer, intervention=foreign
        )


def test_the_same_expenditure_cannot_be_entered_twice(world):
    new_expenditure(world.middelburg.municipality, world.middelburg.finance_officer)
    with pytest.raises(ValidationError, match="is al geregistreerd"):
        new_expenditure(world.middelburg.municipality, world.middelburg.finance_officer)


def test_a_closed_year_refuses_new_changed_and_deleted_expenditures(world):
    municipality, officer = world.middelburg.municipality, world.middelburg.finance_officer
    in_2022 = ExpenditureFactory(municipality=municipality, date=datetime.date(2022, 5, 1))
    in_2023 = ExpenditureFactory(municipality=municipality, date=datetime.date(2023, 5, 1))
    close_year(municipality=municipality, year=2022, user=officer)
    message = "Het jaar 2022 is afgesloten"
    with pytest.raises(ValidationError, match=message):
        new_expenditure(municipality, officer, date=datetime.date(2022, 12, 31))
    with pytest.raises(ValidationError, match=message):
        update_expenditure(expenditure=in_2022, user=officer, amount=Decimal("1.00"))
    with pytest.raises(ValidationError, match=message):
        update_expenditure(expenditure=in_2023, user=officer, date=datetime.date(2022, 6, 1))
    with pytest.raises(ValidationError, match=message):
        delete_expenditure(expenditure=in_2022, user=officer)
    in_2022.refresh_from_db()
    assert in_2022.amount == Decimal("1250.00")
    assert Expenditure.objects.count() == 2


def test_a_correction_of_a_closed_year_goes_into_a_later_year(world):
    municipality, officer = world.middelburg.municipality, world.middelburg.finance_officer
    close_year(municipality=municipality, year=2022, user=officer)
    correction = new_expenditure(
        municipality,
        officer,
        date=datetime.date(2023, 1, 15),
        amount=Decimal("-300.00"),
        description="Correctie 2022: dubbel geboekte factuur F-0012",
    )
    assert correction.amount == Decimal("-300.00")


def test_other_municipalities_are_not_frozen_by_a_closed_year(world):
    close_year(municipality=world.vlissingen.municipality, year=2022, user=None)
    assert new_expenditure(
        world.middelburg.municipality,
        world.middelburg.finance_officer,
        date=datetime.date(2022, 3, 1),
    )


def test_closing_a_year_twice_keeps_one_closing(world):
    municipality = world.middelburg.municipality
    close_year(municipality=municipality, year=2022, user=None)
    close_year(municipality=municipality, year=2022, user=None)
    assert YearClosing.objects.filter(municipality=municipality).count() == 1


def test_updating_and_deleting_in_an_open_year_works(world):
    officer = world.middelburg.finance_officer
    expenditure = new_expenditure(world.middelburg.municipality, officer)
    update_expenditure(expenditure=expenditure, user=officer, amount=Decimal("800.00"))
    expenditure.refresh_from_db()
    assert expenditure.amount == Decimal("800.00")
    delete_expenditure(expenditure=expenditure, user=officer)
    assert not Expenditure.objects.exists()


def test_a_payment_of_zero_is_refused(world):
    with pytest.raises(ValidationError, match="nul euro"):
        record_payment(
            municipality=world.middelburg.municipality,
            user=None,
            date=datetime.date(2021, 12, 20),
            amount=Decimal("0.00"),
        )


def weesp_and_voorne():
    from accounts.models import Municipality

    return Municipality.objects.get(code="GM0457"), Municipality.objects.get(code="GM1992")


def test_an_expenditure_after_a_merger_is_refused_naming_the_successor(world):
    weesp, _voorne = weesp_and_voorne()
    assert new_expenditure(weesp, None, date=datetime.date(2022, 3, 23)).municipality == weesp
    with pytest.raises(ValidationError) as refused:
        new_expenditure(weesp, None, date=datetime.date(2022, 3, 24), invoice_number="F-2")
    assert refused.value.message_dict == {
        "date": ["Weesp bestaat niet meer na 23-03-2022; boek deze uitgave op Amsterdam."]
    }
    assert Expenditure.objects.count() == 1


def test_an_expenditure_before_a_municipality_existed_is_refused(world):
    _weesp, voorne = weesp_and_voorne()
    with pytest.raises(ValidationError) as refused:
        new_expenditure(voorne, None, date=datetime.date(2022, 12, 31))
    assert refused.value.message_dict == {"date": ["Voorne aan Zee bestaat pas vanaf 01-01-2023."]}
    assert new_expenditure(voorne, None, date=datetime.date(2023, 1, 1)).municipality == voorne


def test_moving_an_expenditure_past_the_merger_is_refused(world):
    weesp, _voorne = weesp_and_voorne()
    expenditure = new_expenditure(weesp, None, date=datetime.date(2022, 3, 1))
    with pytest.raises(ValidationError, match="boek deze uitgave op Amsterdam"):
        update_expenditure(expenditure=expenditure, user=None, date=datetime.date(2022, 4, 1))
    expenditure.refresh_from_db()
    assert expenditure.date == datetime.date(2022, 3, 1)


def test_a_payment_after_a_merger_is_refused_naming_the_successor(world):
    weesp, voorne = weesp_and_voorne()
    with pytest.raises(ValidationError) as refused:
        record_payment(
            municipality=weesp, user=None, date=datetime.date(2022, 4, 1), amount=Decimal("10")
        )
    assert refused.value.message_dict == {
        "date": ["Weesp bestaat niet meer na 23-03-2022; boek deze betaling op Amsterdam."]
    }
    with pytest.raises(ValidationError, match="bestaat pas vanaf 01-01-2023"):
        record_payment(
            municipality=voorne, user=None, date=datetime.date(2022, 12, 1), amount=Decimal("10")
        )
    record_payment(
        municipality=weesp, user=None, date=datetime.date(2022, 3, 23), amount=Decimal("10")
    )


def test_a_municipality_that_ceased_without_successor_is_named_alone(world):
    municipality = world.middelburg.municipality
    municipality.valid_until = datetime.date(2024, 12, 31)
    municipality.save()
    with pytest.raises(ValidationError) as refused:
        new_expenditure(municipality, None, date=datetime.date(2025, 1, 1))
    assert refused.value.message_dict == {
        "date": [f"{municipality.name} bestaat niet meer na 31-12-2024."]
    }


def test_an_expenditure_dated_after_today_is_refused(world):
    municipality, officer = world.middelburg.municipality, world.middelburg.finance_officer
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        new_expenditure(municipality, officer, date=tomorrow)
    assert refused.value.message_dict["date"] == [
        f"{tomorrow:%d-%m-%Y} ligt in de toekomst; leg het vast zodra het betaald is."
    ]
    kept = new_expenditure(municipality, officer, date=timezone.localdate())
    with pytest.raises(ValidationError, match="ligt in de toekomst"):
        update_expenditure(expenditure=kept, user=officer, date=tomorrow)
    assert Expenditure.objects.get().date == timezone.localdate()


def test_a_payment_dated_after_today_is_refused(world):
    with pytest.raises(ValidationError, match="ligt in de toekomst"):
        record_payment(
            municipality=world.middelburg.municipality,
            user=None,
            date=timezone.localdate() + datetime.timedelta(days=1),
            amount=Decimal("1000.00"),
        )


def test_an_expenditure_of_zero_euros_is_refused_also_when_edited(world):
    municipality, officer = world.middelburg.municipality, world.middelburg.finance_officer
    with pytest.raises(ValidationError) as refused:
        new_expenditure(municipality, officer, amount=Decimal("0.00"))
    assert refused.value.message_dict["amount"] == [
        "Een bedrag van € 0,00 besteedt en corrigeert niets; vul het betaalde bedrag in."
    ]
    kept = new_expenditure(municipality, officer)
    with pytest.raises(ValidationError, match="€ 0,00"):
        update_expenditure(expenditure=kept, user=officer, amount=Decimal("0"))
    assert Expenditure.objects.get().amount == Decimal("750.00")
