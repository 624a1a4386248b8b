"""DUO files from before the programme: locations under municipalities that merged or were
split before 1-7-2021 land in today's municipality, in every vintage's shape."""

import pytest
from django.core.management import call_command

from npo_portal.duo_files import SHAPES, Location, location_file
from schools.models import School
from schools.services import import_schools

# Locations of a DUO bo file of about 2019, each with the municipality it lies in today.
HISTORICAL = [
    (Location("11AA", "00", "De Twine", "41001", "Dokkum", "GM0058", "Dongeradeel"), "GM1970"),
    (
        Location("11BB", "00", "De Wyngaerd", "41002", "Muntendam", "GM1987", "Menterwolde"),
        "GM1952",
    ),
    (Location("11CC", "00", "De Zeester", "41003", "Delfzijl", "GM0010", "Delfzijl"), "GM1979"),
    (
        Location("11CC", "01", "De Zeester Noord", "41003", "Delfzijl", "GM0010", "Delfzijl"),
        "GM1979",
    ),
    (Location("11DD", "00", "Het Palet", "41004", "Haaren", "GM0788", "Haaren"), "GM0824"),
    (Location("11EE", "00", "De Bongerd", "41004", "Helvoirt", "GM0788", "Haaren"), "GM0865"),
    (Location("11FF", "00", "Mariaschool", "41004", "Biezenmortel", "GM0788", "Haaren"), "GM0855"),
    (Location("11GG", "00", "De Hasselbraam", "41004", "Esch", "GM0788", "Haaren"), "GM0757"),
    (
        Location("11HH", "00", "De Meidoorn", "41005", "Middelburg", "GM0687", "Middelburg"),
        "GM0687",
    ),
    (
        Location("11JJ", "00", "De Kameleon", "41006", "Appingedam", "GM0003", "Appingedam"),
        "GM1979",
    ),
    (Location("11KK", "00", "De Wjukken", "41006", "Ezinge", "GM0053", "Winsum"), "GM1969"),
    (Location("11KK", "01", "De Wierde", "41006", "Baflo", "GM0053", "Winsum"), "GM1966"),
]


def where() -> dict[str, str]:
    """Where each of the file's locations lies."""
    brins = {location.brin for location, _today in HISTORICAL}
    return {
        school.code: school.municipality.code
        for school in School.objects.filter(brin__in=brins).select_related("municipality")
    }


@pytest.mark.parametrize("shape", SHAPES, ids=[shape.name for shape in SHAPES])
def test_each_vintage_shape_imports_whole_into_todays_municipalities(world, shape):
    content = location_file([location for location, _today in HISTORICAL], shape)
    result = import_schools(content=content)
    assert result.ok, result.errors
    assert result.schools_created == len(HISTORICAL)
    assert where() == {location.brin + location.vestiging: today for location, today in HISTORICAL}
    # Helvoirt in Vught, Biezenmortel in Tilburg, Esch in Boxtel, Haaren in Oisterwijk.
    assert School.objects.get(brin="11EE").municipality.name == "Vught"
    assert School.objects.get(brin="11FF").municipality.name == "Tilburg"
    assert School.objects.get(brin="11GG").municipality.name == "Boxtel"
    assert School.objects.get(brin="11DD").municipality.name == "Oisterwijk"
    assert School.objects.get(brin="11CC", vestiging="00").municipality.name == "Eemsdelta"


def test_summary_counts_the_mapped_locations_per_old_municipality(world):
    result = import_schools(content=location_file([loc for loc, _ in HISTORICAL], SHAPES[0]))
    assert result.ok, result.errors
    assert {old: dict(targets) for old, targets in result.mapped.items()} == {
        "Dongeradeel (GM0058)": {"Noardeast-Fryslân (GM1970)": 1},
        "Menterwolde (GM1987)": {"Midden-Groningen (GM1952)": 1},
        "Delfzijl (GM0010)": {"Eemsdelta (GM1979)": 2},
        "Appingedam (GM0003)": {"Eemsdelta (GM1979)": 1},
        "Haaren (GM0788)": {
            "Oisterwijk (GM0824)": 1,
            "Vught (GM0865)": 1,
            "Tilburg (GM0855)": 1,
            "Boxtel (GM0757)": 1,
        },
        "Winsum (GM0053)": {"Westerkwartier (GM1969)": 1, "Het Hogeland (GM1966)": 1},
    }
    assert (
        "Haaren (GM0788): 4 vestiging(en), naar Boxtel (GM0757) (1), Oisterwijk (GM0824) (1), "
        "Tilburg (GM0855) (1), Vught (GM0865) (1)."
    ) in result.mapped_summary()


def test_a_place_of_a_split_that_went_nowhere_is_held_and_the_rest_imported(world):
    locations = [loc for loc, _ in HISTORICAL] + [
        Location("11LL", "00", "De Vlonder", "41004", "Udenhout", "GM0788", "Haaren")
    ]
    result = import_schools(content=location_file(locations, SHAPES[0]))
    assert result.ok, result.errors
    assert result.schools_created == len(HISTORICAL)
    assert result.held_summary() == [
        "Vestiging 11LL00 De Vlonder (UDENHOUT, 1234AB), vermeld onder Haaren (GM0788): niet "
        "geïmporteerd, wacht op toewijzing door de functioneel beheerder. Haaren (GM0788) is "
        "op 01-01-2021 naar woonplaats gesplitst en de woonplaats “UDENHOUT” ging naar geen "
        "van haar opvolgers (Boxtel, Oisterwijk, Tilburg, Vught)."
    ]
    assert not School.objects.filter(brin="11LL").exists()


def test_reimporting_a_historical_file_changes_nothing(world):
    content = location_file([loc for loc, _ in HISTORICAL], SHAPES[2])
    assert import_schools(content=content).ok
    again = import_schools(content=content)
    assert again.ok, again.errors
    assert (again.schools_created, again.schools_updated, again.schools_unchanged) == (
        0,
        0,
        len(HISTORICAL),
    )
    assert again.schools_closed == 0


def test_the_command_reports_the_mapping(world, tmp_path, capsys):
    path = tmp_path / "vestigingenbo_2019.csv"
    path.write_bytes(location_file([loc for loc, _ in HISTORICAL], SHAPES[1]))
    call_command("import_schools", str(path))
    out = capsys.readouterr().out
    assert "Dongeradeel (GM0058): 1 vestiging(en), naar Noardeast-Fryslân (GM1970) (1)." in out
