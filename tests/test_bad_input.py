"""Random and hostile content fed to the imports: nothing escapes but the import's own
refusal, a file is imported completely or not at all, and no file costs more than a few
seconds and a bounded amount of memory, through the command and through the upload task."""

import io
import resource
import time
import tracemalloc
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import SchoolBoard
from finance.models import Expenditure, ImportStatus
from finance.services import ImportRejected, import_expenditures, start_expenditure_import
from npo_portal import tables
from schools.models import School
from schools.services import SCHOOL_COLUMNS, import_schools
from tests import hostile_files

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


# Hostile files, one of each class the probe found -------------------------------------------

# What one hostile file may cost, with room for a slow CI machine: CPU seconds, the peak of
# Python allocations (tracemalloc) and the growth of the process's peak RSS.
MAX_SECONDS = 5
MAX_PYTHON_PEAK = 64 * 1024 * 1024
MAX_RSS_GROWTH = 200 * 1024 * 1024
MAX_MESSAGE = 2000  # a refusal echoes values only as short excerpts


@dataclass
class Cost:
    seconds: float = 0.0
    python_peak: int = 0
    rss_growth: int = 0

    def assert_bounded(self, name: str) -> None:
        assert self.seconds < MAX_SECONDS, f"{name}: {self.seconds:.1f} s"
        assert self.python_peak < MAX_PYTHON_PEAK, f"{name}: {self.python_peak >> 20} MB"
        assert self.rss_growth < MAX_RSS_GROWTH, f"{name}: RSS +{self.rss_growth >> 20} MB"


def _peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: kilobytes


@contextmanager
def measured():
    """The CPU time, Python allocation peak and RSS growth of the block."""
    cost = Cost()
    rss_before = _peak_rss()
    tracemalloc.start()
    started = time.process_time()
    try:
        yield cost
    finally:
        cost.seconds = time.process_time() - started
        cost.python_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        cost.rss_growth = _peak_rss() - rss_before


HOSTILE = sorted(hostile_files.CASES)


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_file_is_refused_by_the_command_within_bounds(middelburg, tmp_path, name):
    path = tmp_path / "uitgaven.bestand"
    path.write_bytes(hostile_files.CASES[name]())
    stderr = io.StringIO()
    with measured() as cost, pytest.raises(CommandError, match="Niets geïmporteerd"):
        call_command("import_expenditures", str(path), municipality=middelburg.code, stderr=stderr)
    message = stderr.getvalue().strip()
    assert message, f"{name}: the refusal says why"
    assert len(message) < MAX_MESSAGE, message[:200]
    assert "\x00" not in message
    assert not Expenditure.objects.exists()
    cost.assert_bounded(name)


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_upload_is_refused_by_the_import_task_within_bounds(
    world, django_capture_on_commit_callbacks, settings, tmp_path, name
):
    settings.MEDIA_ROOT = tmp_path
    data = hostile_files.CASES[name]()
    with measured() as cost, django_capture_on_commit_callbacks(execute=True):
        job = start_expenditure_import(
            municipality=world.middelburg.municipality,
            user=world.middelburg.finance_officer,
            file_name=f"{name}.xlsx",
            data=data,
        )
    job.refresh_from_db()
    assert job.status == ImportStatus.REJECTED, (name, job.status, job.messages)
    assert job.messages and all(job.messages), name
    assert sum(len(message) for message in job.messages) < MAX_MESSAGE
    assert not job.upload
    assert not [path for path in tmp_path.rglob("*") if path.is_file()], "the file is deleted"
    assert not Expenditure.objects.exists()
    cost.assert_bounded(name)


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("huge field (200,000 characters)", "Rij 2: een veld is langer dan 2.000 tekens"),
        ("field over the limit (5,000 characters)", "Rij 2, kolom E: het veld is langer"),
        ("runaway quote", "aanhalingstekens kloppen niet"),
        ("NUL inside a field past byte 4096", "kolom E: het veld bevat een stuurteken (code 0)"),
        ("1,000,000 invalid CSV rows (24 MB)", "meer dan 50.000 rijen"),
        ("XLSX zip bomb: one 200 MB cell", "pakt uit tot 200 MB, meer dan de toegestane 100"),
        ("XLSX: one 20 MB cell under the unpacked limit", "waarde die langer is dan 2.000"),
        ("XLSX declaring A1:XFD1048576 (1.7 KB)", "1.048.576 rijen"),
        ("XLSX with a cell in column XFD", "Rij 2 heeft 16.384 kolommen"),
        ("XLSX with 1,000,000 real rows", "meer dan 50.000 rijen"),
        ("XLSX with broken sheet XML", "kan niet worden gelezen: is het beschadigd?"),
        ("XLSX with a bad cell reference", "kan na rij 1 niet worden gelezen"),
        ("macro-enabled workbook (.xlsm)", "bevat macro's"),
        ("password-protected workbook", "met een wachtwoord beveiligd"),
        ("OpenDocument spreadsheet (.ods)", "Sla het op als XLSX"),
        ("PNG image", "is een PNG-bestand, geen spreadsheet"),
        ("mac_roman text", "zou worden ingelezen als 'CafŽ en ijsjes"),
        ("UTF-7 text", "lijkt UTF-7"),
    ],
)
def test_each_hostile_file_is_named_for_what_it_is(middelburg, name, says):
    with pytest.raises(ImportRejected) as refused:
        import_expenditures(municipality=middelburg, data=hostile_files.CASES[name](), user=None)
    assert says in " ".join(refused.value.errors)


def test_a_header_below_a_title_is_found_and_rows_keep_their_numbers(middelburg):
    data = "\n".join(
        [
            "Uitgaven NPO Middelburg 2022;;;;;;",
            ";;;;;;",
            hostile_files.HEADER,
            hostile_files.GOOD_ROW,
            "31-02-2022;100,00;bovenschools;;Boeken;L;F-2",
        ]
    ).encode()
    with pytest.raises(ImportRejected) as refused:
        import_expenditures(municipality=middelburg, data=data, user=None)
    assert refused.value.errors[0].startswith("Rij 5: ")
    good = data.decode().rsplit("\n", 1)[0].encode()
    assert import_expenditures(municipality=middelburg, data=good, user=None).created == 1


def test_a_header_below_a_title_that_lacks_columns_is_named_with_its_row(middelburg):
    data = b"Uitgaven 2022\n\ndatum;bedrag;omschrijving\n01-03-2022;100,00;Boeken\n"
    with pytest.raises(ImportRejected) as refused:
        import_expenditures(municipality=middelburg, data=data, user=None)
    assert refused.value.errors == [
        "Rij 3 lijkt de kopregel, maar mist de kolommen bestedingsdoel, interventie, "
        "leverancier, factuurnummer. De kopregel moet bevatten: " + hostile_files.HEADER + "."
    ]


def test_a_refusal_lists_the_first_errors_and_counts_the_rest(middelburg, settings):
    settings.IMPORT_MAX_REPORTED_ERRORS = 3
    with pytest.raises(ImportRejected) as refused:
        import_expenditures(
            municipality=middelburg, data=hostile_files.many_rows_csv(10), user=None
        )
    assert len(refused.value.errors) == 4
    assert refused.value.errors[-1] == "… en nog 7 rijen met fouten."
    assert refused.value.total == 10


def test_an_echoed_value_is_cut_to_an_excerpt(middelburg):
    data = hostile_files.csv_file("01-03-2022;" + "9" * 1500 + ";bovenschools;;Z;L;F-1")
    with pytest.raises(ImportRejected) as refused:
        import_expenditures(municipality=middelburg, data=data, user=None)
    assert len(refused.value.errors[0]) < 200
    assert "9" * 40 + "…" in refused.value.errors[0]


def test_a_real_30000_row_workbook_fits_the_limits():
    """The limits' defaults leave room for the largest municipality's yearly file."""
    rows = [
        ["01-03-2022", "100,00", "bovenschools", "", f"Uitgave {n}", "Leverancier", f"F-{n}"]
        for n in range(30_000)
    ]
    csv = hostile_files.csv_file(*(";".join(row) for row in rows))
    read = list(tables.read_table(csv, columns=hostile_files.COLUMNS))
    assert len(read) == 30_000
    assert read[-1] == (30_001, dict(zip(hostile_files.COLUMNS, rows[-1], strict=True)))
    # The same rows as a workbook (inline strings, the largest way to write them) pass the
    # checks made before reading, with room for more than three times as much.
    workbook = hostile_files.xlsx(hostile_files.good_xlsx_rows(*rows))
    limits = tables.Limits.from_settings()
    tables.inspect_archive(workbook, limits)
    with zipfile.ZipFile(io.BytesIO(workbook)) as archive:
        unpacked = sum(info.file_size for info in archive.infolist())
    assert unpacked * 3 < limits.unpacked_bytes


# Windows-1252 text: genuine names with Š and Ž pass, mojibake does not ---------------------

GENUINE_CP1252 = [
    "Škoda Transport;F-1",
    "Žiga Košir d.o.o.;F-2",
    "Jože Šušteršic s.p.;F-3",
    "ŠKODA ŽELEZNICE A.S.;F-4",
    "Dušan Ševcík;F-5",
    "Œuvre de la cœur;F-6",
    "Café \u2019t Hoekje, ƒ 25 oud tarief • Zoë;F-7",  # an apostrophe, guilders, a bullet
]


@pytest.mark.parametrize("supplier", GENUINE_CP1252)
def test_genuine_windows_1252_names_with_s_and_z_caron_are_imported(middelburg, supplier):
    data = hostile_files.csv_file(
        f"01-03-2022;100,00;bovenschools;;Leermiddelen;{supplier}", encoding="cp1252"
    )
    assert import_expenditures(municipality=middelburg, data=data, user=None).created == 1
    name = supplier.split(";")[0]
    assert Expenditure.objects.get().supplier == name


@pytest.mark.parametrize(
    ("text", "encoding", "shown"),
    [
        ("Café en ijsjes", "mac_roman", "CafŽ en ijsjes"),  # é → Ž after a small letter
        ("één keer", "mac_roman", "ŽŽn keer"),  # Ž between a capital and a small letter
        ("Käse en Bär", "mac_roman", "KŠse en BŠr"),  # ä → Š
        ("Müller", "mac_roman", "MŸller"),  # ü → Ÿ
        ("Über", "mac_roman", "†ber"),  # Ü → † against a letter
        ("ruïne", "mac_roman", "ru•ne"),  # ï → •
        ("Café", "cp437", "Caf\u201a"),  # é → a low quotation mark
        ("Zoë", "cp437", "Zo‰"),  # ë → ‰
    ],
)
def test_mojibake_from_mac_roman_and_cp437_is_refused_with_an_example(
    middelburg, text, encoding, shown
):
    data = hostile_files.csv_file(
        f"01-03-2022;100,00;bovenschools;;{text};Leverancier;F-1", encoding=encoding
    )
    with pytest.raises(ImportRejected) as refused:
        import_expenditures(municipality=middelburg, data=data, user=None)
    assert f"zou worden ingelezen als '{shown}" in refused.value.errors[0]
    assert not Expenditure.objects.exists()


def test_mojibake_across_two_chunks_of_the_file_is_still_seen(middelburg):
    """The text is decoded chunk by chunk; a sign split from its letter by a chunk's end is
    still seen."""
    prefix = hostile_files.csv_file(*[hostile_files.GOOD_ROW] * 20_000)
    cut = tables.SCAN_CHUNK - len(prefix) % tables.SCAN_CHUNK
    # After the line break and the filler, the letter ends one chunk and the sign (‰, cp437's
    # ë) starts the next.
    filler = b"x" * (cut - 2)
    data = prefix + b"\n" + filler + "a\u2030b;100,00;bovenschools;;Z;L;F-9".encode("cp1252")
    assert data[len(prefix) + cut - 1 : len(prefix) + cut + 1] == "a\u2030".encode("cp1252")
    assert (len(prefix) + cut) % tables.SCAN_CHUNK == 0
    with pytest.raises(ImportRejected) as refused:
        import_expenditures(municipality=middelburg, data=data, user=None)
    assert "zou worden ingelezen als" in refused.value.errors[0]


def test_a_file_is_read_from_its_path_as_from_its_bytes(tmp_path):
    rows = [hostile_files.GOOD_ROW.replace("F-1", f"F-{n}") for n in range(3)]
    for name, data in (
        ("uitgaven.csv", hostile_files.csv_file(*rows, encoding="cp1252")),
        ("uitgaven.xlsx", hostile_files.xlsx(hostile_files.good_xlsx_rows(rows[0].split(";")))),
    ):
        path = tmp_path / name
        path.write_bytes(data)
        from_path = list(tables.read_table(path, columns=hostile_files.COLUMNS))
        assert from_path == list(tables.read_table(data, columns=hostile_files.COLUMNS))
        assert from_path
