import datetime
from decimal import Decimal

from plans import rules
from plans.factories import programme
from plans.models import MenuItem, TargetGroup


def test_dates_inside_the_spending_period_are_accepted_both_ends_included(db):
    assert (
        rules.period_problems(
            programme=programme(), start=datetime.date(2021, 7, 1), end=datetime.date(2025, 7, 31)
        )
        == []
    )


def test_start_before_the_spending_period_is_refused(db):
    problems = rules.period_problems(
        programme=programme(), start=datetime.date(2021, 6, 30), end=datetime.date(2022, 7, 31)
    )
    assert problems == [
        "De startdatum ligt buiten de bestedingsperiode (01-07-2021 tot en met 31-07-2025)."
    ]


def test_end_after_the_spending_period_is_refused_and_reads_the_period_from_the_programme(db):
    current = programme()
    assert rules.period_problems(
        programme=current, start=datetime.date(2024, 1, 1), end=datetime.date(2025, 8, 1)
    ) == ["De einddatum ligt buiten de bestedingsperiode (01-07-2021 tot en met 31-07-2025)."]
    current.end = datetime.date(2026, 7, 31)
    assert (
        rules.period_problems(
            programme=current, start=datetime.date(2024, 1, 1), end=datetime.date(2025, 8, 1)
        )
        == []
    )


def test_end_before_start_is_refused(db):
    assert rules.period_problems(
        programme=programme(), start=datetime.date(2022, 5, 1), end=datetime.date(2022, 4, 1)
    ) == ["De einddatum ligt vóór de startdatum."]


def test_at_least_one_target_group_is_required():
    assert rules.target_group_problems(target_groups=[]) == ["Kies ten minste één doelgroep."]


def test_children_in_voorschool_po_so_vo_and_thuiszitters_are_accepted():
    assert (
        rules.target_group_problems(target_groups=["voorschool", "po", "so", "vo", "thuiszitters"])
        == []
    )


def test_mbo_or_hbo_students_as_target_group_are_refused_with_the_reason():
    for group in (TargetGroup.MBO, TargetGroup.HBO):
        [problem] = rules.target_group_problems(target_groups=[TargetGroup.PO, group])
        assert "mbo- of hbo-studenten" in problem
        assert "als partner" in problem


def test_unknown_target_group_is_refused():
    [problem] = rules.target_group_problems(target_groups=["volwassenen"])
    assert problem.startswith("Onbekende doelgroep: volwassenen.")


def test_budget_years_within_the_programme_are_accepted(db):
    assert rules.budget_year_problems(programme=programme(), years=[2021, 2025]) == []


def test_budget_year_outside_the_programme_is_refused(db):
    assert rules.budget_year_problems(programme=programme(), years=[2020, 2022, 2026]) == [
        "Een begroting voor 2020, 2026 valt buiten de bestedingsperiode (2021-2025)."
    ]


def test_menu_item_off_the_menu_during_the_intervention_is_refused(db):
    old = MenuItem.objects.get(name="Voor- en vroegschoolse interventies")
    assert rules.menu_item_problems(
        menu_item=old, start=datetime.date(2022, 9, 1), end=datetime.date(2023, 7, 31)
    ) == [
        "“Voor- en vroegschoolse interventies” stond niet op de menukaart tijdens deze interventie."
    ]
    assert (
        rules.menu_item_problems(
            menu_item=old, start=datetime.date(2021, 9, 1), end=datetime.date(2023, 7, 31)
        )
        == []
    )


def test_budget_within_the_allocation_gives_no_warning():
    assert (
        rules.allocation_notices(
            allocation_amount=Decimal("1000.00"),
            total=Decimal("1000.00"),
            by_year={2021: Decimal("400.00"), 2022: Decimal("600.00")},
        )
        == []
    )


def test_budget_above_the_allocation_is_a_warning_per_year_and_in_total():
    notices = rules.allocation_notices(
        allocation_amount=Decimal("1000.00"),
        total=Decimal("1250.50"),
        by_year={2021: Decimal("600.00"), 2022: Decimal("650.50"), 2023: Decimal("0.00")},
    )
    assert [n.replace("\xa0", " ") for n in notices] == [
        "Vanaf 2022 is de begroting opgeteld hoger dan de toekenning: € 1.250,50 tot en met 2022.",
        "Het plan begroot € 1.250,50, € 250,50 meer dan de toekenning van € 1.000,00. "
        "De uitkering betaalt niet meer dan de toekenning.",
    ]


def test_one_year_above_the_allocation_is_named():
    notices = rules.allocation_notices(
        allocation_amount=Decimal("100.00"),
        total=Decimal("150.00"),
        by_year={2023: Decimal("150.00")},
    )
    assert (
        notices[0].replace("\xa0", " ")
        == "De begroting voor 2023 (€ 150,00) is alleen al hoger dan de toekenning (€ 100,00)."
    )


def test_missing_allocation_is_a_notice():
    assert rules.allocation_notices(allocation_amount=None, total=Decimal("5.00"), by_year={}) == [
        "Voor deze gemeente is nog geen toekenning vastgelegd; de begroting kan er daarom nog "
        "niet mee worden vergeleken."
    ]
