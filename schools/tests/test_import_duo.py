"""DUO's open-data files, as municipal staff download them."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import SchoolBoard
from schools.factories import NeedsAnswerFactory
from schools.models import NeedsAnswer, School, Sector
from schools.services import import_schools

DATA = Path(__file__).parent / "data"


def content(name: str) -> bytes:
    return (DATA / name).read_bytes()


def codes(**filters) -> set[str]:
    return {school.code for school in School.objects.filter(**filters)}


@pytest.mark.parametrize("name", ["vestigingenbo_oud.csv", "vestigingenbo_nieuw.csv"])
def test_bo_file_with_old_or_new_headers_imports_its_locations_as_po(world, name):
    result = import_schools(content=content(name))
    assert result.ok, result.errors
    assert (result.schools_created, result.boards_created) == (3, 2)
    cafe = School.objects.get(brin="31AB", vestiging="01")
    assert (cafe.name, cafe.sector, cafe.duo_file) == ("Basisschool Café Noord", Sector.PO, "bo")
    assert cafe.municipality.code == "GM0687"
    assert School.objects.get(brin="32CD").name == "Basisschool 't Vlot"
    assert School.objects.get(brin="32CD").municipality.code == "GM0718"


def test_old_and_new_bo_files_describe_the_same_locations(world):
    import_schools(content=content("vestigingenbo_oud.csv"))
    before = list(School.objects.values().order_by("pk"))
    result = import_schools(content=content("vestigingenbo_nieuw.csv"))
    assert (result.schools_created, result.schools_updated, result.schools_unchanged) == (0, 0, 3)
    assert list(School.objects.values().order_by("pk")) == before


def test_so_file_puts_sbao_in_po_and_so_vso_and_v_so_in_so(world):
    result = import_schools(content=content("vestigingenso.csv"))
    assert result.ok, result.errors
    sectors = {s.code: s.sector for s in School.objects.filter(duo_file="so")}
    assert sectors == {
        "33EF00": Sector.PO,
        "34GH00": Sector.SO,
        "34GH01": Sector.SO,
        "35IJ00": Sector.SO,
    }
    assert School.objects.get(brin="35IJ").municipality.code == "GM0718"


def test_vo_file_with_six_character_codes_only_imports_as_vo(world):
    result = import_schools(content=content("vestigingenvo.csv"))
    assert result.ok, result.errors
    assert codes(sector=Sector.VO) == {"36KL00", "36KL01"}
    assert School.objects.get(brin="36KL", vestiging="00").name == "Zeeuws Lyceum"


def test_board_file_names_the_boards_a_location_file_brought_in(world):
    import_schools(content=content("vestigingenbo_oud.csv"))
    assert SchoolBoard.objects.get(number="43001").name == "Bestuur 43001"
    result = import_schools(content=content("besturenbo.csv"))
    assert result.ok, result.errors
    assert (result.boards_updated, result.boards_created) == (2, 0)
    assert SchoolBoard.objects.get(number="43001").name == "Stichting Kustscholen Zeeland"
    again = import_schools(content=content("vestigingenbo_nieuw.csv"))
    assert again.schools_unchanged == 3
    assert SchoolBoard.objects.get(number="43001").name == "Stichting Kustscholen Zeeland"


def test_duo_file_with_bad_rows_imports_nothing_and_names_each_row_and_column(world):
    result = import_schools(content=content("vestigingenso_fout.csv"))
    assert not result.ok
    assert result.errors == [
        "Rij 3, kolom VESTIGINGSCODE: “99ZZ00” begint niet met de instellingscode 34GH.",
        "Rij 4, kolom SOORT PRIMAIR ONDERWIJS: onbekende soort “SBO”; DUO gebruikt SBAO, SO, "
        "VSO of (V)SO.",
        "Rij 5, kolom GEMEENTENUMMER: er is geen gemeente met de code GM9999.",
    ]
    assert not School.objects.filter(brin__in=["33EF", "34GH", "35IJ", "36MN"]).exists()


def test_newer_file_without_a_location_closes_it_and_keeps_its_answers(world):
    import_schools(content=content("vestigingenbo_oud.csv"))
    cafe = School.objects.get(brin="31AB", vestiging="01")
    answer = NeedsAnswerFactory(school=cafe, round__municipality=cafe.municipality)
    newer = content("vestigingenbo_nieuw.csv").decode("utf-8-sig")
    newer = "\r\n".join(line for line in newer.split("\r\n") if "31AB01" not in line)
    result = import_schools(content=newer.encode("utf-8"))
    assert result.ok, result.errors
    assert (result.schools_closed, result.schools_unchanged) == (1, 2)
    cafe.refresh_from_db()
    assert cafe.closed_on == timezone.localdate()
    assert NeedsAnswer.objects.filter(pk=answer.pk, school=cafe).exists()
    assert cafe not in School.objects.open()
    assert "1 gesloten" in result.summary()


def test_other_kinds_of_file_do_not_close_bo_locations(world):
    import_schools(content=content("vestigingenbo_oud.csv"))
    result = import_schools(content=content("vestigingenvo.csv"))
    assert result.schools_closed == 0
    assert not School.objects.filter(closed_on__isnull=False).exists()


def test_reimporting_a_duo_file_changes_nothing(world):
    import_schools(content=content("vestigingenso.csv"))
    before = list(School.objects.values().order_by("pk"))
    result = import_schools(content=content("vestigingenso.csv"))
    assert (result.schools_created, result.schools_updated, result.schools_closed) == (0, 0, 0)
    assert result.schools_unchanged == 4
    assert list(School.objects.values().order_by("pk")) == before


def test_command_takes_a_duo_file(world, capsys):
    call_command("import_schools", str(DATA / "vestigingenvo.csv"))
    assert "Scholen: 2 nieuw" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("import_schools", str(DATA / "vestigingenso_fout.csv"))


def test_closed_location_leaves_new_rounds_and_lists_but_stays_in_the_round_it_answered(world):
    import datetime

    from schools import selectors
    from schools.factories import NeedsRoundFactory

    import_schools(content=content("vestigingenbo_oud.csv"))
    cafe = School.objects.get(brin="31AB", vestiging="01")
    old_round = NeedsRoundFactory(municipality=cafe.municipality, title="Oud")
    NeedsAnswerFactory(round=old_round, school=cafe)
    School.objects.filter(pk=cafe.pk).update(closed_on=datetime.date(2022, 1, 1))
    new_round = NeedsRoundFactory(municipality=cafe.municipality, title="Nieuw")
    officer = world.middelburg.policy_officer
    assert cafe in School.objects.in_round(old_round)
    assert cafe not in School.objects.in_round(new_round)
    assert cafe not in selectors.schools_for(user=officer)
    assert cafe.code not in {r.school.code for r in selectors.unreported(needs_round=new_round)}


def test_a_location_under_a_merged_municipality_lies_in_its_successor(world):
    # An older DUO file still lists Weesp (0457), which merged into Amsterdam on 24-03-2022.
    older = (
        content("vestigingenbo_nieuw.csv")
        .decode("utf-8-sig")
        .replace('"0718","VLISSINGEN"', '"0457","WEESP"')
    )
    result = import_schools(content=older.encode())
    assert result.ok, result.errors
    assert School.objects.get(brin="32CD").municipality.code == "GM0363"
    assert School.objects.get(brin="31AB", vestiging="00").municipality.code == "GM0687"
