from datetime import date

from accounts.models import Municipality


def test_every_municipality_of_the_programme_is_loaded(db):
    assert Municipality.objects.in_programme().count() == 356
    assert Municipality.objects.existing_on(date(2021, 7, 1)).count() == 352
    assert Municipality.objects.existing_on(date(2022, 3, 24)).count() == 344
    assert Municipality.objects.existing_on(date(2023, 1, 1)).count() == 342


def test_weesp_ends_the_day_before_it_joins_amsterdam(db):
    weesp = Municipality.objects.get(code="GM0457")
    assert weesp.valid_until == date(2022, 3, 23)
    assert weesp.successor.name == "Amsterdam"
    assert Municipality.objects.existing_on(date(2022, 3, 23)).filter(code="GM0457").exists()
    assert not Municipality.objects.existing_on(date(2022, 3, 24)).filter(code="GM0457").exists()


def test_voorne_aan_zee_took_over_three_municipalities(db):
    voorne = Municipality.objects.get(code="GM1992")
    assert voorne.valid_from == date(2023, 1, 1)
    assert set(voorne.predecessors.values_list("name", flat=True)) == {
        "Brielle",
        "Hellevoetsluis",
        "Westvoorne",
    }
