import csv
import io

import pytest
from django.core.management import CommandError, call_command

from accounts.models import SchoolBoard
from schools.models import School, Sector
from schools.services import import_schools

HEADER = "brin;vestiging;naam;sector;bevoegd_gezag;bestuur_naam;gemeentecode"
GOOD_ROWS = [
    "31AB;00;Basisschool De Meidoorn;po;43001;Stichting Kust (proef);GM0687",
    "31AB;01;Basisschool De Meidoorn, dependance;po;43001;Stichting Kust (proef);0687",
    "32CD;00;Zeeuws Lyceum;vo;43002;Stichting VO Zeeland (proef);718",
]


def csv_bytes(*rows: str, separator: str = ";", encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator)
    writer.writerows(line.split(";") for line in (HEADER, *rows))
    return buffer.getvalue().encode(encoding)


@pytest.fixture
def municipalities(world):
    return world


def test_clean_file_imports_boards_and_schools(municipalities):
    result = import_schools(content=csv_bytes(*GOOD_ROWS))
    assert result.ok, result.errors
    assert (result.schools_created, result.boards_created) == (3, 2)
    school = School.objects.get(brin="32CD", vestiging="00")
    assert school.municipality.code == "GM0718"
    assert school.sector == Sector.VO
    assert school.board == SchoolBoard.objects.get(number="43002")
    assert School.objects.get(brin="31AB", vestiging="01").municipality.code == "GM0687"


def test_reimporting_the_same_file_changes_nothing(municipalities):
    import_schools(content=csv_bytes(*GOOD_ROWS))
    before = list(School.objects.values().order_by("pk"))
    result = import_schools(content=csv_bytes(*GOOD_ROWS))
    assert result.ok
    assert (result.schools_created, result.schools_updated, result.schools_unchanged) == (0, 0, 3)
    assert (result.boards_created, result.boards_updated, result.boards_unchanged) == (0, 0, 2)
    assert list(School.objects.values().order_by("pk")) == before


def test_reimport_updates_a_changed_school_without_duplicating_it(municipalities):
    import_schools(content=csv_bytes(*GOOD_ROWS))
    changed = GOOD_ROWS[2].replace("Zeeuws Lyceum", "Zeeuws Lyceum Vlissingen")
    result = import_schools(content=csv_bytes(GOOD_ROWS[0], GOOD_ROWS[1], changed))
    assert (result.schools_created, result.schools_updated, result.schools_unchanged) == (0, 1, 2)
    assert School.objects.filter(brin="32CD").get().name == "Zeeuws Lyceum Vlissingen"


def test_file_with_bad_rows_imports_nothing_and_names_each_bad_row(municipalities):
    content = csv_bytes(
        GOOD_ROWS[0],
        "3XAB;00;School met slechte BRIN;po;43001;Stichting Kust (proef);GM0687",
        "33EF;0A;School met slechte vestiging;po;43001;Stichting Kust (proef);GM0687",
        "34GH;00;School met onbekende sector;mbo;43001;Stichting Kust (proef);GM0687",
        "35JK;00;School met slechte gemeentecode;po;43001;Stichting Kust (proef);GM06871",
        "36LM;00;School in onbekende gemeente;po;43001;Stichting Kust (proef);GM9999",
        "37NP;00;School met slecht bestuur;po;4300A;Stichting Kust (proef);GM0687",
        "38QR;00;;po;43001;Stichting Kust (proef);GM0687",
        "31AB;00;Dubbele school;po;43001;Stichting Kust (proef);GM0687",
        GOOD_ROWS[2],
    )
    result = import_schools(content=content)
    assert result.errors == [
        "Rij 3, kolom brin: “3XAB” is geen BRIN-nummer (vier tekens, bijv. 12AB).",
        "Rij 4, kolom vestiging: “0A” is geen vestigingsnummer (twee cijfers, bijv. 00).",
        "Rij 5, kolom sector: onbekende sector “mbo”; gebruik po, so of vo.",
        "Rij 6, kolom gemeentecode: 'GM06871' is geen CBS-gemeentecode zoals GM0687 of 0687.",
        "Rij 7, kolom gemeentecode: er is geen gemeente met de code GM9999.",
        "Rij 8, kolom bevoegd_gezag: “4300A” is geen bevoegd-gezagnummer (vijf cijfers).",
        "Rij 9, kolom naam: de naam van de school ontbreekt.",
        "Rij 10, kolom brin: school 31AB00 staat ook in rij 2.",
    ]
    assert not School.objects.filter(brin__in=["31AB", "32CD"]).exists()
    assert not SchoolBoard.objects.filter(number__in=["43001", "43002"]).exists()


def test_board_with_two_names_in_one_file_is_refused(municipalities):
    result = import_schools(
        content=csv_bytes(GOOD_ROWS[0], GOOD_ROWS[1].replace("Stichting Kust", "Stichting Zee"))
    )
    assert result.errors == [
        "Rij 3, kolom bestuur_naam: bestuur 43001 heet “Stichting Kust (proef)” in rij 2."
    ]


def test_missing_column_is_one_message_for_the_file(municipalities):
    content = b"brin;vestiging;naam;sector;bevoegd_gezag;gemeentecode\n31AB;00;X;po;43001;GM0687"
    result = import_schools(content=content)
    assert result.errors == [
        "In de kopregel ontbreekt de kolom of ontbreken de kolommen bestuur_naam; verwacht: "
        "brin;vestiging;naam;sector;bevoegd_gezag;bestuur_naam;gemeentecode."
    ]


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(csv_bytes(*GOOD_ROWS, separator=","), id="comma"),
        pytest.param(b"\xef\xbb\xbf" + csv_bytes(*GOOD_ROWS), id="utf8-bom"),
        pytest.param(
            csv_bytes(*GOOD_ROWS).replace(
                b"De Meidoorn;", "De Meidoorn \u2013 \u00e9\u00e9n;".encode("cp1252")
            ),
            id="windows-1252",
        ),
    ],
)
def test_separators_and_encodings_are_accepted(municipalities, content):
    result = import_schools(content=content)
    assert result.ok, result.errors
    assert result.schools_created == 3


def test_windows_1252_names_keep_their_accents(municipalities):
    row = "39ST;00;Basisschool Het Vliegerhoekje \u2013 één;po;43003;Stichting Ré (proef);GM0687"
    result = import_schools(content=csv_bytes(row, encoding="cp1252"))
    assert result.ok, result.errors
    assert School.objects.get(brin="39ST").name == "Basisschool Het Vliegerhoekje \u2013 één"
    assert SchoolBoard.objects.get(number="43003").name == "Stichting Ré (proef)"


def test_quoted_comma_separated_file_with_upper_case_header(municipalities):
    content = (
        b'"BRIN","VESTIGING","NAAM","SECTOR","BEVOEGD_GEZAG","BESTUUR_NAAM","GEMEENTECODE"\n'
        b'"31ab","0","Basisschool De Meidoorn, Middelburg","PO","43001","Stichting Kust","GM0687"\n'
    )
    result = import_schools(content=content)
    assert result.ok, result.errors
    school = School.objects.get(brin="31AB", vestiging="00")
    assert school.name == "Basisschool De Meidoorn, Middelburg"


def test_command_imports_and_reports_counts(municipalities, tmp_path, capsys):
    path = tmp_path / "scholen.csv"
    path.write_bytes(csv_bytes(*GOOD_ROWS))
    call_command("import_schools", str(path))
    assert "Scholen: 3 nieuw, 0 bijgewerkt, 0 gesloten, 0 ongewijzigd." in capsys.readouterr().out
    call_command("import_schools", str(path))
    assert "Scholen: 0 nieuw, 0 bijgewerkt, 0 gesloten, 3 ongewijzigd." in capsys.readouterr().out


def test_command_fails_and_lists_errors_for_a_bad_file(municipalities, tmp_path, capsys):
    path = tmp_path / "scholen.csv"
    path.write_bytes(csv_bytes(GOOD_ROWS[0], "3XAB;00;X;po;43001;Stichting Kust (proef);GM0687"))
    with pytest.raises(CommandError, match="Niets geïmporteerd: 1 fout"):
        call_command("import_schools", str(path))
    assert "Rij 3, kolom brin" in capsys.readouterr().err
    assert not School.objects.filter(brin="31AB").exists()
