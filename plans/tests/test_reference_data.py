import datetime

from plans.models import MenuItem, Programme, SpendingGoal


def test_programme_period_runs_to_31_july_2025_with_original_end_kept(db):
    programme = Programme.objects.get(slug="npo-gemeenten")
    assert (programme.start, programme.end) == (
        datetime.date(2021, 7, 1),
        datetime.date(2025, 7, 31),
    )
    amendment = programme.amendments.get()
    assert amendment.previous_end == datetime.date(2023, 7, 31)
    assert amendment.reference == "Stcrt. 2022, 27531"


def test_period_includes_both_ends(db):
    programme = Programme.objects.get(slug="npo-gemeenten")
    assert programme.covers(datetime.date(2021, 7, 1))
    assert programme.covers(datetime.date(2025, 7, 31))
    assert not programme.covers(datetime.date(2021, 6, 30))
    assert not programme.covers(datetime.date(2025, 8, 1))


def test_five_numbered_goals_and_two_extra_categories(db):
    goals = SpendingGoal.objects.all()
    assert [(g.code, g.number) for g in goals] == [
        ("bovenschools", 1),
        ("voorschools", 2),
        ("zorg_welzijn", 3),
        ("samenwerking", 4),
        ("thuiszitters", 5),
        ("huisvesting", None),
        ("capaciteit", None),
    ]


def test_menu_changed_on_1_april_2022(db):
    before = set(
        MenuItem.objects.valid_on(datetime.date(2022, 3, 31)).values_list("name", flat=True)
    )
    after = set(MenuItem.objects.valid_on(datetime.date(2022, 4, 1)).values_list("name", flat=True))
    assert after - before == {
        "Fonemisch bewustzijn",
        "Schrijfonderwijs",
        "Beginnende geletterdheid",
        "Beginnende gecijferdheid",
    }
    assert before - after == {"Voor- en vroegschoolse interventies"}
