"""A DUO vestigingen file of 2017 (old columns, `;`, Windows-1252, padded) goes through whole:
locations of split municipalities are placed by postcode and by DUO's spelling of the place,
and the one location no successor took is held for the functional administrator.

The file's schools, boards and street addresses are made up; its places, postcodes and
municipality numbers are real (accounts/data/README.md), spelled as DUO and PostNL write them."""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Municipality
from schools.models import HeldLocation, School
from schools.services import assign_held_location, import_schools

FILE = Path(__file__).parent / "data" / "vestigingenbo_2017.csv"

# Each location of the file and the municipality holding it now.
EXPECTED = {
    "12AA00": "Súdwest-Fryslân",  # WOMMELS 8731
    "12AA01": "Súdwest-Fryslân",  # EASTEREIN 8734
    "12BB00": "Waadhoeke",  # WINSUM FR, no postcode
    "12CC00": "Waadhoeke",  # WJELSRYP 8842 (Frisian; Dutch Welsrijp)
    "12DD00": "Leeuwarden",  # MANTGUM 9022
    "12EE00": "Leeuwarden",  # BEARS FR 9025
    "12FF00": "Súdwest-Fryslân",  # WAAKSENS GEM LITT 8845
    "13AA00": "Het Hogeland",  # WINSUM GN 9951
    "13AA01": "Het Hogeland",  # BAFLO 9953
    "13BB00": "Westerkwartier",  # EZINGE 9891
    "13CC00": "Westerkwartier",  # GARNWERD 9893
    "14AA00": "Vught",  # HELVOIRT 5268
    "14BB00": "Tilburg",  # BIEZENMORTEL 5074
    "14CC00": "Oisterwijk",  # HAAREN
    "14DD00": "Boxtel",  # ESCH
    "15AA00": "Noardeast-Fryslân",  # Dongeradeel, merged 2019
    "16AA00": "Middelburg (Z.)",
}


def where() -> dict[str, str]:
    return {
        school.code: school.municipality.name
        for school in School.objects.filter(board__number__startswith="411").select_related(
            "municipality"
        )
    }


def test_a_duo_file_of_2017_imports_whole_and_holds_the_one_unmatched_location(world):
    result = import_schools(content=FILE.read_bytes())
    assert result.ok, result.errors
    assert where() == EXPECTED
    assert result.schools_created == len(EXPECTED)
    assert {old: dict(targets) for old, targets in result.mapped.items()} == {
        "Littenseradiel (GM0140)": {
            "Leeuwarden (GM0080)": 2,
            "Súdwest-Fryslân (GM1900)": 3,
            "Waadhoeke (GM1949)": 2,
        },
        "Winsum (GM0053)": {"Het Hogeland (GM1966)": 2, "Westerkwartier (GM1969)": 2},
        "Haaren (GM0788)": {
            "Boxtel (GM0757)": 1,
            "Oisterwijk (GM0824)": 1,
            "Tilburg (GM0855)": 1,
            "Vught (GM0865)": 1,
        },
        "Dongeradeel (GM0058)": {"Noardeast-Fryslân (GM1970)": 1},
    }
    held = HeldLocation.objects.get()
    assert (held.code, held.name, held.place, held.postcode) == (
        "14EE00",
        "Basisschool De Vlonder",
        "UDENHOUT",
        "5071 AA",
    )
    assert held.split.code == "GM0788" and held.assigned_to is None
    assert result.held_summary() == [
        "Vestiging 14EE00 Basisschool De Vlonder (UDENHOUT, 5071 AA), vermeld onder Haaren "
        "(GM0788): niet geïmporteerd, wacht op toewijzing door de functioneel beheerder. "
        "Haaren (GM0788) is op 01-01-2021 naar woonplaats gesplitst en de woonplaats "
        "“UDENHOUT” ging naar geen van haar opvolgers (Boxtel, Oisterwijk, Tilburg, Vught)."
    ]


def test_importing_it_again_changes_nothing_and_holds_it_once(world):
    assert import_schools(content=FILE.read_bytes()).ok
    again = import_schools(content=FILE.read_bytes())
    assert again.ok, again.errors
    assert (again.schools_created, again.schools_updated, again.schools_unchanged) == (
        0,
        0,
        len(EXPECTED),
    )
    assert again.schools_closed == 0
    assert HeldLocation.objects.count() == 1 and len(again.held) == 1


def test_an_assigned_location_is_created_and_stays_there_at_the_next_import(world):
    import_schools(content=FILE.read_bytes())
    held = HeldLocation.objects.get()
    tilburg = Municipality.objects.get(code="GM0855")
    school = assign_held_location(held=held, municipality=tilburg, user=world.functional_admin)
    assert school.code == "14EE00" and school.municipality == tilburg
    again = import_schools(content=FILE.read_bytes())
    assert again.ok and again.held == []
    assert again.schools_unchanged == len(EXPECTED) + 1
    assert where()["14EE00"] == "Tilburg"
    assert again.mapped["Haaren (GM0788)"]["Tilburg (GM0855)"] == 2


def test_a_location_is_assigned_only_to_a_successor_of_its_split(world):
    import_schools(content=FILE.read_bytes())
    with pytest.raises(ValueError, match="geen van de opvolgers"):
        assign_held_location(
            held=HeldLocation.objects.get(), municipality=Municipality.objects.get(code="GM0687")
        )
    assert not School.objects.filter(brin="14EE").exists()


def test_the_command_names_the_held_location_in_dutch(world, capsys):
    call_command("import_schools", str(FILE))
    out = capsys.readouterr().out
    assert "Wacht op toewijzing door de functioneel beheerder (1):" in out
    assert "Vestiging 14EE00 Basisschool De Vlonder (UDENHOUT, 5071 AA)" in out


def test_the_administrator_assigns_it_on_its_page(world, client):
    import_schools(content=FILE.read_bytes())
    held = HeldLocation.objects.get()
    client.force_login(world.functional_admin)
    url = reverse("admin:schools_heldlocation_change", args=[held.pk])
    page = client.get(url)
    assert page.status_code == 200
    offered = {m.code for m in page.context["adminform"].form.fields["assigned_to"].queryset}
    assert offered == {"GM0757", "GM0824", "GM0855", "GM0865"}
    response = client.post(url, {"assigned_to": Municipality.objects.get(code="GM0855").pk})
    assert response.status_code == 302
    assert School.objects.get(brin="14EE").municipality.code == "GM0855"
    held.refresh_from_db()
    assert held.assigned_by == world.functional_admin and held.assigned_at is not None


@pytest.mark.parametrize(
    ("organisation", "role"),
    [
        ("middelburg", "policy_officer"),
        ("vlissingen", "finance_officer"),
        ("middelburg", "board_user"),
    ],
)
def test_no_one_but_the_administrator_sees_the_held_locations(world, client, organisation, role):
    import_schools(content=FILE.read_bytes())
    held = HeldLocation.objects.get()
    client.force_login(getattr(getattr(world, organisation), role))
    for url in (
        reverse("admin:schools_heldlocation_changelist"),
        reverse("admin:schools_heldlocation_change", args=[held.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]
    response = client.post(
        reverse("admin:schools_heldlocation_change", args=[held.pk]),
        {"assigned_to": Municipality.objects.get(code="GM0855").pk},
    )
    assert response.status_code == 302
    assert not School.objects.filter(brin="14EE").exists()


def test_the_upload_page_names_the_held_location_and_imports_the_rest(world, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world.functional_admin)
    upload = SimpleUploadedFile("vestigingenbo_2017.csv", FILE.read_bytes())
    response = client.post(reverse("schools:school-import"), {"file": upload}, follow=True)
    page = response.content.decode()
    assert "Scholen: 17 nieuw" in page
    assert "Vestiging 14EE00 Basisschool De Vlonder (UDENHOUT, 5071 AA), vermeld onder" in page
    assert "wacht op toewijzing door de functioneel beheerder" in page
    assert where() == EXPECTED
