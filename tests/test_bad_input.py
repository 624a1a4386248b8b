"""Random CSV content fed to the expenditure and school imports: nothing escapes but the
import's own refusal, and a file is imported completely or not at all."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import SchoolBoard
from finance.models import Expenditure
from finance.services import ImportRejected, import_expenditures
from schools.models import School
from schools.services import SCHOOL_COLUMNS, import_schools

EXPENDITURE_HEADER = (
    "datum;bedrag;bestedingsdoel;interventie;omschrijving;leverancier;factuurnummer"
)
SCHOOL_HEADER = ";".join(SCHOOL_COLUMNS)

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

cell_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=12,
)
# Cells that are sometimes valid, so that whole files are sometimes accepted.
dates = st.sampled_from(["01-03-2022", "2023-07-15", "31-02-2022", "2019-01-01", "", "morgen"])
amounts = st.sampled_from(["100,00", "1.234,56", "-25.50", "12.5", "1,2,3", "", "abc"])
goals = st.sampled_from(["bovenschools", "1", "3", "zorg_welzijn", "onbekend", ""])
expenditure_rows = st.lists(
    st.tuples(
        dates | cell_text,
        amounts | cell_text,
        goals,
        st.just(""),
        st.sampled_from(["Zomerschool", "Boeken", ""]) | cell_text,
        cell_text,
        cell_text,
    ),
    min_size=1,
    max_size=8,
)
school_rows = st.lists(
    st.tuples(
        st.sampled_from(["31AB", "32CD", "1234", "ab"]) | cell_text,
        st.sampled_from(["00", "01", "7"]) | cell_text,
        st.sampled_from(["De Meidoorn", "Zeeuws Lyceum"]) | cell_text,
        st.sampled_from(["po", "vo", "so", "xx"]),
        st.sampled_from(["43001", "43002", "1"]),
        st.sampled_from(["Stichting Kust", "Stichting VO", ""]),
        st.sampled_from(["GM0687", "0718", "GM9999"]),
    ),
    min_size=1,
    max_size=8,
)


def as_csv(header: str, rows) -> bytes:
    lines = [header, *(";".join(cell.replace(";", ",") for cell in row) for row in rows)]
    return "\n".join(lines).encode("utf-8")


def expenditure_import_is_all_or_nothing(municipality, data: bytes) -> None:
    before = Expenditure.objects.count()
    try:
        result = import_expenditures(municipality=municipality, data=data, user=None)
    except ImportRejected as rejected:
        assert rejected.errors, "a refusal says why"
        assert Expenditure.objects.count() == before
    else:
        assert Expenditure.objects.count() == before + result.created


def school_import_is_all_or_nothing(data: bytes) -> None:
    before = (School.objects.count(), SchoolBoard.objects.count())
    result = import_schools(content=data)
    after = (School.objects.count(), SchoolBoard.objects.count())
    if result.ok:
        assert after[0] == before[0] + result.schools_created
        assert after[1] == before[1] + result.boards_created
    else:
        assert after == before


@pytest.fixture
def middelburg(world):
    return world.middelburg.municipality


@FUZZ
@given(data=st.binary(max_size=400))
def test_random_bytes_never_break_the_expenditure_import(middelburg, data):
    expenditure_import_is_all_or_nothing(middelburg, data)


@FUZZ
@given(text=st.text(max_size=400), encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
def test_random_text_never_breaks_the_expenditure_import(middelburg, text, encoding):
    expenditure_import_is_all_or_nothing(middelburg, text.encode(encoding, errors="replace"))


@FUZZ
@given(rows=expenditure_rows)
def test_random_rows_under_the_right_header_import_all_or_nothing(middelburg, rows):
    expenditure_import_is_all_or_nothing(middelburg, as_csv(EXPENDITURE_HEADER, rows))


@FUZZ
@given(data=st.binary(max_size=400))
def test_random_bytes_never_break_the_school_import(world, data):
    school_import_is_all_or_nothing(data)


@FUZZ
@given(text=st.text(max_size=400), encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
def test_random_text_never_breaks_the_school_import(world, text, encoding):
    school_import_is_all_or_nothing(text.encode(encoding, errors="replace"))


@FUZZ
@given(rows=school_rows)
def test_random_school_rows_under_the_right_header_import_all_or_nothing(world, rows):
    school_import_is_all_or_nothing(as_csv(SCHOOL_HEADER, rows))


def test_the_fuzzed_rows_do_reach_both_outcomes(world):
    """The strategies above are not all refusals: a clean row is imported."""
    middelburg = world.middelburg.municipality
    good = [("01-03-2022", "100,00", "bovenschools", "", "Boeken", "", "F-1")]
    assert (
        import_expenditures(
            municipality=middelburg, data=as_csv(EXPENDITURE_HEADER, good), user=None
        ).created
        == 1
    )
    school = [("31AB", "00", "De Meidoorn", "po", "43001", "Stichting Kust", "GM0687")]
    assert import_schools(content=as_csv(SCHOOL_HEADER, school)).ok
