"""The register's history: every municipality since 1-1-2016, its successors and splits."""

import csv
import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from accounts import placement, register
from accounts.models import Municipality, Role, User
from finance.services import ImportRejected, import_allocations
from plans.models import Allocation


def test_the_register_counts_each_year_as_cbs_does(db):
    # CBS: 390 municipalities in 2016, 388 in 2017, 380 in 2018, 355 in 2019 and 2020,
    # 352 in 2021, 345 on 1-1-2022 and 342 since 2023.
    counts = {
        day: Municipality.objects.existing_on(datetime.date.fromisoformat(day)).count()
        for day in ("2016-01-01", "2017-01-01", "2018-01-01", "2019-01-01", "2020-10-01")
    }
    assert counts == {
        "2016-01-01": 390,
        "2017-01-01": 388,
        "2018-01-01": 380,
        "2019-01-01": 355,
        "2020-10-01": 355,
    }
    assert Municipality.objects.existing_on(datetime.date(2021, 1, 1)).count() == 352
    assert Municipality.objects.count() == 408
    assert Municipality.objects.in_programme().count() == 356


def test_the_register_keeps_the_programme_files_codes_names_and_dates():
    with (register.DATA / "gemeenten.csv").open(encoding="utf-8") as handle:
        programme = {row["gemeentecode"]: row for row in csv.DictReader(handle, delimiter=";")}
    with register.REGISTER_FILE.open(encoding="utf-8") as handle:
        history = {row["gemeentecode"]: row for row in csv.DictReader(handle, delimiter=";")}
    assert set(programme) <= set(history)
    for code, row in programme.items():
        kept = history[code]
        assert (kept["naam"], kept["tot"], kept["opgegaan_in"]) == (
            row["naam"],
            row["tot"],
            row["opgegaan_in"],
        ), code
        if row["vanaf"]:
            assert kept["vanaf"] == row["vanaf"], code
        else:
            # Formed before the programme (Eemsdelta 2021, Meierijstad 2017, …) or existing
            # on 1-1-2016.
            assert kept["vanaf"] < "2021-07-01", code


@pytest.mark.parametrize(
    ("code", "name", "last_day", "successor"),
    [
        ("GM0058", "Dongeradeel", "2018-12-31", "GM1970"),
        ("GM1987", "Menterwolde", "2017-12-31", "GM1952"),
        ("GM0010", "Delfzijl", "2020-12-31", "GM1979"),
        ("GM0003", "Appingedam", "2020-12-31", "GM1979"),
        ("GM0024", "Loppersum", "2020-12-31", "GM1979"),
        ("GM0844", "Schijndel", "2016-12-31", "GM1948"),
    ],
)
def test_a_municipality_that_merged_before_the_programme(db, code, name, last_day, successor):
    municipality = Municipality.objects.get(code=code)
    assert municipality.name == name
    assert municipality.valid_until == datetime.date.fromisoformat(last_day)
    assert municipality.successor.code == successor
    assert not Municipality.objects.in_programme().filter(code=code).exists()


def test_haaren_was_split_by_place(db):
    haaren = Municipality.objects.get(code="GM0788")
    assert haaren.successor is None and haaren.is_split
    assert {p.place: p.successor.name for p in haaren.split_places.all()} == {
        "Haaren": "Oisterwijk",
        "Helvoirt": "Vught",
        "Biezenmortel": "Tilburg",
        "Esch": "Boxtel",
    }


def test_placing_follows_every_reorganisation_up_to_the_day(db):
    places = placement.Register.load()
    start = datetime.date(2021, 7, 1)
    assert places.place(code="GM0058", place="DOKKUM", day=start).municipality.code == "GM1970"
    assert places.place(code="GM0788", place=" helvoirt ", day=start).municipality.name == "Vught"
    # Weesp still held its own grant on the programme's start; it is Amsterdam's now.
    assert places.place(code="GM0457", place="WEESP", day=start).municipality.code == "GM0457"
    today = datetime.date(2026, 12, 1)
    assert places.place(code="GM0457", place="WEESP", day=today).municipality.code == "GM0363"
    # Littenseradiel (split 2018) by its Dutch or Frisian place names.
    assert places.place(code="GM0140", place="OOSTEREND", day=start).municipality.code == "GM1900"
    assert places.place(code="GM0140", place="Kûbaard", day=start).municipality.code == "GM1900"
    unknown = places.place(code="GM0788", place="UDENHOUT", day=start)
    assert unknown.municipality is None and "UDENHOUT" in unknown.problem


def test_importing_the_register_again_changes_nothing(db, capsys):
    call_command("import_municipalities")
    out = capsys.readouterr().out
    assert "408 municipalities and 65 places read." in out
    assert "0 aangemaakt, 0 bijgewerkt, 408 ongewijzigd" in out
    assert "0 aangemaakt, 0 bijgewerkt, 65 ongewijzigd, 0 verwijderd" in out


def test_a_bad_register_file_loads_nothing_and_names_each_row(db):
    municipalities = (
        b"gemeentecode;naam;vanaf;tot;opgegaan_in\n"
        b"GM0001;Oud;;2020-12-31;GM0002 GM0003\n"
        b"GM0002;Nieuw;2021-01-01;;\n"
        b"GM0003;Ander;;;\n"
        b"GM0002;Dubbel;;;\n"
        b"GM0004;Vroeg;;2019-12-31;GM0002\n"
    )
    places = b"gemeentecode;woonplaats;opgegaan_in\nGM0001;Oudorp;GM0002\nGM0001;Elders;GM0004\n"
    with pytest.raises(register.RegisterRejected) as rejected:
        register.parse_register(municipalities=municipalities, places=places)
    assert rejected.value.errors == [
        "Rij 5, kolom gemeentecode: GM0002 staat ook in rij 3.",
        "Rij 6, kolom opgegaan_in: Nieuw bestaat niet op de dag na 31-12-2019.",
        "Rij 3, kolom opgegaan_in: GM0004 is geen van de opvolgers van Oud.",
        "Oud (GM0001) is gesplitst, maar geen woonplaats gaat naar GM0003.",
    ]
    assert not Municipality.objects.filter(code="GM0004").exists()


def test_a_municipality_that_ended_before_the_programme_has_no_users(db):
    user = User(username="oud", role=Role.POLICY_OFFICER)
    user.municipality = Municipality.objects.get(code="GM0058")
    with pytest.raises(ValidationError) as refused:
        user.full_clean()
    assert "voor de start van het programma opgeheven" in str(refused.value)
    user.municipality = Municipality.objects.get(code="GM0457")  # ended during it: fine
    user.set_password("x-unused-Password-1")
    user.full_clean()


def test_the_portal_lists_no_municipality_that_ended_before_the_programme(client, world):
    client.force_login(world.functional_admin)
    listed = client.get(reverse("municipality-list"), {"q": "Haaren"}).context["object_list"]
    assert [m.code for m in listed] == []
    listed = client.get(reverse("municipality-list"), {"q": "Weesp"}).context["object_list"]
    assert [m.code for m in listed] == ["GM0457"]
    assert client.get(reverse("municipality-detail", args=["GM0058"])).status_code == 404
    autocomplete = client.get(
        reverse("admin:autocomplete"),
        {
            "term": "Dongeradeel",
            "app_label": "accounts",
            "model_name": "user",
            "field_name": "municipality",
        },
    )
    assert autocomplete.json()["results"] == []


def test_no_allocation_for_a_municipality_that_ended_before_the_programme(db):
    data = "gemeentecode;gemeente;bedrag\nGM0687;Middelburg;100,00\n0058;Dongeradeel;10,00\n"
    with pytest.raises(ImportRejected) as rejected:
        import_allocations(data=data.encode())
    assert rejected.value.errors == [
        "Rij 3: kolom 'gemeentecode': Dongeradeel (GM0058) is voor de start van het programma "
        "opgeheven en heeft geen toekenning."
    ]
    assert not Allocation.objects.filter(municipality__code="GM0687").exists()
