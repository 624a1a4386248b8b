"""A split municipality's places as DUO writes them: by postcode area first, then by place
name with PostNL's province suffixes and Frisian and Dutch names; for every split in the
register."""

import csv
import datetime
import io

import pytest

from accounts import placement, register, split_postcodes

START = datetime.date(2021, 7, 1)


def splits_in_register() -> set[str]:
    """Every municipality the shipped register divides over several successors."""
    text = register.REGISTER_FILE.read_text(encoding="utf-8-sig")
    return {
        row["gemeentecode"]
        for row in csv.DictReader(io.StringIO(text), delimiter=";")
        if len(row["opgegaan_in"].split()) > 1
    }


# (split, PLAATSNAAM as DUO writes it, POSTCODE, the successor that holds it on 1-7-2021)
SPELLINGS = [
    # Winsum (GN), 1-1-2019: Ezinge, Feerwerd and Garnwerd to Westerkwartier.
    ("GM0053", "WINSUM GN", "", "GM1966"),
    ("GM0053", "Winsum (GN)", "", "GM1966"),
    ("GM0053", "EZINGE", "", "GM1969"),
    ("GM0053", "GARNWERD", "", "GM1969"),
    ("GM0053", "OBERGUM", "", "GM1966"),
    # Littenseradiel, 1-1-2018: Frisian names, Dutch names and PostNL's suffixes.
    ("GM0140", "WINSUM FR", "", "GM1949"),
    ("GM0140", "Winsum (Fr)", "", "GM1949"),
    ("GM0140", "WJELSRYP", "", "GM1949"),
    ("GM0140", "WELSRIJP", "", "GM1949"),
    ("GM0140", "BEARS FR", "", "GM0080"),
    ("GM0140", "BEERS", "", "GM0080"),
    ("GM0140", "HUNS", "", "GM0080"),
    ("GM0140", "Húns", "", "GM0080"),
    ("GM0140", "OOSTERLITTENS", "", "GM0080"),
    ("GM0140", "WAAKSENS GEM LITT", "", "GM1900"),
    ("GM0140", "KUBAARD", "", "GM1900"),
    ("GM0140", "OOSTEREND", "", "GM1900"),
    ("GM0140", "WIUWERT", "", "GM1900"),
    ("GM0140", "Wieuwerd", "", "GM1900"),
    ("GM0140", "BRITSWERD", "", "GM1900"),
    ("GM0140", "EASTERWIERRUM", "", "GM1900"),
    # Haaren, 1-1-2021.
    ("GM0788", "HELVOIRT", "", "GM0865"),
    ("GM0788", "ESCH", "", "GM0757"),
]

# (split, POSTCODE, a PLAATSNAAM no list knows, the successor the postcode area decides)
POSTCODES = [
    ("GM0053", "9891 AC", "EZINGE-WEST", "GM1969"),
    ("GM0053", "9893PA", "GARNWERDERZIJL", "GM1969"),
    ("GM0053", "9951 AA", "WINSUM-OBERGUM", "GM1966"),
    ("GM0140", "8731 BN", "LITTENSERBUORREN", "GM1900"),
    ("GM0140", "9021", "TSJERKEBUORREN", "GM1900"),
    ("GM0140", "9022 AA", "SKILLAERD", "GM0080"),
    ("GM0140", "9027 XB", "HOPTILLE", "GM0080"),
    ("GM0140", "8842 TA", "TSJEPPENBUR", "GM1949"),
    ("GM0140", "8834", "BAERDERBUORREN", "GM0080"),
    ("GM0788", "5268 AA", "HELVOIRT-NOORD", "GM0865"),
    ("GM0788", "5074 AA", "DE MORTEL", "GM0855"),
]


@pytest.fixture
def places(db):
    return placement.Register.load()


@pytest.mark.parametrize(("split", "place", "postcode", "successor"), SPELLINGS)
def test_duo_spellings_of_a_split_place(places, split, place, postcode, successor):
    placement = places.place(code=split, place=place, day=START, postcode=postcode)
    assert placement.problem == ""
    assert placement.municipality.code == successor
    assert placement.listed.code == split


@pytest.mark.parametrize(("split", "postcode", "place", "successor"), POSTCODES)
def test_the_postcode_area_places_a_location_whatever_its_place_name(
    places, split, postcode, place, successor
):
    assert places.place(
        code=split, place=place, day=START, postcode=postcode
    ).municipality.code == (successor)


def test_every_split_in_the_register_has_spellings_postcodes_and_a_postcode_table():
    splits = splits_in_register()
    assert splits == {"GM0053", "GM0140", "GM0788"}
    assert {split for split, *_rest in SPELLINGS} == splits
    assert {split for split, *_rest in POSTCODES} == splits
    assert {row.split for row in split_postcodes.read_shipped_postcodes()} == splits


def test_every_successor_of_a_split_receives_a_place():
    data = register.read_shipped_register()
    successors = {row.code: set(row.successors) for row in data.municipalities}
    for split in splits_in_register():
        assert {s for code, _place, s in data.places if code == split} == successors[split]


def test_a_postcode_and_a_place_that_disagree_decide_nothing(places):
    placement = places.place(code="GM0053", place="EZINGE", day=START, postcode="9951 AA")
    assert placement.municipality is None
    assert placement.split.code == "GM0053"
    assert placement.problem == (
        "Winsum (GM0053) is op 01-01-2019 naar woonplaats gesplitst; de postcode 9951 AA ligt "
        "in Het Hogeland, maar de woonplaats “EZINGE” ging naar Westerkwartier."
    )


def test_a_place_no_list_knows_without_a_known_postcode_names_the_split(places):
    placement = places.place(code="GM0788", place="UDENHOUT", day=START, postcode="5071 AA")
    assert placement.municipality is None and placement.split.code == "GM0788"
    assert "UDENHOUT" in placement.problem and "Oisterwijk" in placement.problem


def test_a_bad_postcode_table_is_refused_row_by_row():
    by_code = {row.code: row for row in register.read_shipped_register().municipalities}
    content = (
        b"# header\n"
        b"gemeentecode;postcode;opgegaan_in;bevestigd;bron\n"
        b"GM0053;989;GM1969;ja;B\n"
        b"GM0053;9891;GM0014;ja;B\n"
        b"GM0687;4331;GM0687;ja;B\n"
        b"GM0053;9892;GM1969;misschien;B\n"
    )
    with pytest.raises(register.RegisterRejected) as rejected:
        split_postcodes.parse_split_postcodes(content, by_code)
    assert rejected.value.errors == [
        "Rij 2, kolom postcode: “989” is geen postcodegebied van vier cijfers.",
        "Rij 3, kolom opgegaan_in: GM0014 is geen van de opvolgers van Winsum.",
        "Rij 4, kolom gemeentecode: GM0687 is geen gesplitste gemeente (met meerdere opvolgers).",
        "Rij 5, kolom bevestigd: schrijf ja of nee.",
    ]
