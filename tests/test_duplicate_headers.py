"""A duplicated column header is refused by name, by every reader, also when two names
become equal once case, spaces and underscores are set aside. The file is refused whole.

Before, a DUO school file with a second BEVOEGD GEZAG NUMMER column "1" moved all its
schools to a new board "1"; which copy won differed per reader (the expenditure import took
the first, pupil counts the last).
"""

from pathlib import Path

import pytest

from accounts import register
from accounts.models import SchoolBoard
from finance.models import Expenditure
from finance.services import ImportRejected, import_allocations, import_expenditures
from finance.services.pupil_counts import import_pupil_counts
from npo_portal.duo_files import Location, po_pupil_file
from plans.models import Allocation, PupilCount
from schools.models import School
from schools.services import import_schools
from tests import hostile_files

pytestmark = pytest.mark.django_db
DUO = Path(__file__).resolve().parent.parent / "schools" / "tests" / "data"


def with_extra_column(content: bytes, name: str, value: str, *, encoding="utf-8") -> bytes:
    """`content` (a `;` file) with a last column `name`, holding `value` on every row."""
    lines = content.decode(encoding).splitlines()
    extended = [lines[0] + ";" + name] + [line + ";" + value for line in lines[1:] if line]
    return "\n".join(extended).encode(encoding)


def test_duo_location_file_with_a_second_board_number_is_refused(world):
    content = with_extra_column(
        (DUO / "vestigingenbo_oud.csv").read_bytes(), "BEVOEGD GEZAG NUMMER", "1", encoding="cp1252"
    )
    schools = School.objects.count()
    result = import_schools(content=content)
    assert not result.ok
    assert any("BEVOEGD GEZAG NUMMER" in error for error in result.errors), result.errors
    assert School.objects.count() == schools
    assert not SchoolBoard.objects.filter(number="1").exists()


def test_duo_board_file_with_a_name_twice_after_normalising_is_refused(world):
    content = with_extra_column(
        (DUO / "besturenbo.csv").read_bytes(), " bevoegd  gezag naam ", "Ander", encoding="cp1252"
    )
    before = list(SchoolBoard.objects.values_list("number", "name").order_by("number"))
    result = import_schools(content=content)
    assert not result.ok
    assert any("BEVOEGD GEZAG NAAM" in error.upper() for error in result.errors), result.errors
    assert list(SchoolBoard.objects.values_list("number", "name").order_by("number")) == before


def test_pupil_count_file_with_a_count_column_twice_is_refused(db):
    location = Location("11CC", "00", "De Zeester", "41003", "Delfzijl", "GM0010", "Delfzijl", 212)
    content = po_pupil_file([location])
    header = content.decode("utf-8-sig" if content.startswith(b"\xef\xbb\xbf") else "cp1252")
    count_column = next(name for name in header.splitlines()[0].split(";") if "2020" in name)
    content = with_extra_column(content, count_column, "9999", encoding="cp1252")
    with pytest.raises(ImportRejected) as refused:
        import_pupil_counts(content=content, file_name="po.csv")
    assert count_column.strip().lower() in " ".join(refused.value.errors).lower()
    assert not PupilCount.objects.exists()


def test_register_file_with_a_code_column_twice_is_refused(db):
    municipalities = b"gemeentecode;naam;vanaf;tot;opgegaan_in;Gemeentecode\nGM0001;Oud;;;;GM0002\n"
    places = b"gemeentecode;woonplaats;opgegaan_in\n"
    with pytest.raises(register.RegisterRejected) as refused:
        register.parse_register(municipalities=municipalities, places=places)
    assert "gemeentecode" in " ".join(refused.value.errors).lower()


def test_allocation_file_with_an_amount_twice_is_refused(world):
    data = b"gemeentecode;gemeente;bedrag;Bedrag \nGM0687;Middelburg (Z.);1000;2000\n"
    with pytest.raises(ImportRejected) as refused:
        import_allocations(data=data)
    assert "bedrag" in " ".join(refused.value.errors).lower()
    assert not Allocation.objects.filter(municipality__code="GM0687").exists()


def test_allocation_file_with_an_optional_column_twice_is_refused(world):
    data = (
        b"gemeentecode;gemeente;bedrag;leerlingen;Leerlingen\nGM0687;Middelburg (Z.);1000;10;20\n"
    )
    with pytest.raises(ImportRejected) as refused:
        import_allocations(data=data)
    assert "leerlingen" in " ".join(refused.value.errors).lower()


@pytest.mark.parametrize("second", ["bedrag", " BEDRAG ", "Bedrag"])
def test_expenditure_csv_with_an_amount_twice_is_refused(world, second):
    data = with_extra_column(hostile_files.csv_file(hostile_files.GOOD_ROW), second, "999,00")
    with pytest.raises(ImportRejected) as refused:
        import_expenditures(municipality=world.middelburg.municipality, data=data, user=None)
    assert "bedrag" in " ".join(refused.value.errors).lower()
    assert not Expenditure.objects.exists()


def test_expenditure_xlsx_with_a_column_twice_is_refused(world):
    header = [*hostile_files.COLUMNS, "Omschrijving"]
    row = [*hostile_files.GOOD_ROW.split(";"), "Iets anders"]
    data = hostile_files.xlsx(hostile_files.xml_row(1, header) + hostile_files.xml_row(2, row))
    with pytest.raises(ImportRejected) as refused:
        import_expenditures(municipality=world.middelburg.municipality, data=data, user=None)
    assert "omschrijving" in " ".join(refused.value.errors).lower()
    assert not Expenditure.objects.exists()
