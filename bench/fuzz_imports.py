"""Fuzz run: many variants of every hostile class, and mutated good files, through the
expenditure import's command and its upload task.

    DJANGO_DEBUG=false DJANGO_SECRET_KEY=bench-only \
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/npo_finance \
        python bench/fuzz_imports.py --minutes 15 --seed 1

Each file goes through `manage.py import_expenditures` (call_command, from a file on disk)
and through `start_expenditure_import` + the Celery task (eager, the upload stored as a
file as the web page stores it). A file must end in one of two ways: refused with a
message and nothing saved, or imported whole (the rows created are the rows the outcome
names). Anything else is counted: a crash (an exception other than the refusal, or an
upload that ends "onverwacht mislukt"), a partial import, a refusal without a message.
Every case is measured under tracemalloc (peak of Python allocations) and by CPU time;
the slowest and the largest are reported per class. Files that crash are kept in
--keep (default: fuzz-crashes in the temporary folder) to replay. Results: bench/README.md.
"""

import argparse
import io
import logging
import os
import random
import string
import sys
import tempfile
import time
import tracemalloc
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "npo_portal.settings")

import django  # noqa: E402

django.setup()

from django.core.management import CommandError, call_command  # noqa: E402
from django.test import override_settings  # noqa: E402

from finance.models import Expenditure, ImportStatus  # noqa: E402
from finance.services import start_expenditure_import  # noqa: E402
from npo_portal.celery import app as celery_app  # noqa: E402
from tests import hostile_files as hf  # noqa: E402

CRASH_MESSAGE = "onverwacht mislukt"


def _cell(rng: random.Random) -> str:
    alphabet = string.ascii_letters + string.digits + " ;,\"'-.€éëïöüŠŽšž\t"
    return "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 15)))


def good_rows(rng: random.Random, count: int) -> list[str]:
    return [
        f"{rng.randrange(1, 29):02d}-{rng.randrange(1, 13):02d}-2022;"
        f"{rng.randrange(1, 99999)},{rng.randrange(100):02d};"
        f"{rng.choice(['bovenschools', '1', '2', 'zorg_welzijn'])};;"
        f"Uitgave {n};Leverancier {rng.randrange(50)};F-{rng.randrange(10**6)}"
        for n in range(count)
    ]


def mutate(data: bytes, rng: random.Random) -> bytes:
    """Flip, insert, delete or repeat a few random bytes (the classic byte-level fuzzer)."""
    buffer = bytearray(data)
    for _ in range(rng.randrange(1, 9)):
        if not buffer:
            buffer.extend(rng.randbytes(4))
        position = rng.randrange(len(buffer))
        kind = rng.randrange(5)
        if kind == 0:
            buffer[position] = rng.randrange(256)
        elif kind == 1:
            buffer[position:position] = rng.randbytes(rng.randrange(1, 6))
        elif kind == 2:
            del buffer[position : position + rng.randrange(1, 16)]
        elif kind == 3:
            piece = buffer[position : position + rng.randrange(1, 40)]
            buffer[position:position] = piece * rng.randrange(1, 50)
        else:
            buffer[position:position] = rng.choice(
                [b"\x00", b'"', b"\r", b"\n", b";", b"\x1b", b"\xef\xbb\xbf", b"\xff\xfe"]
            )
    return bytes(buffer)


def mutate_xlsx_entry(data: bytes, rng: random.Random) -> bytes:
    """A workbook whose sheet XML (or another part) has a few bytes mutated, re-zipped."""
    source = zipfile.ZipFile(io.BytesIO(data))
    names = source.namelist()
    target = rng.choice(names)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in names:
            content = source.read(name)
            archive.writestr(name, mutate(content, rng) if name == target else content)
    return out.getvalue()


def xml_cells(rng: random.Random) -> str:
    """A row of cells in unexpected shapes: types, formulas, shared strings, dates."""
    cells = []
    for index in range(rng.randrange(1, 9)):
        kind = rng.choice(["n", "s", "str", "b", "e", "d", "inlineStr", "formula", "none"])
        ref = f"{hf.column(index)}2"
        value = rng.choice(["1", "-0", "1e308", "1e400", "abc", "", "45000", "2022-13-45", "99"])
        if kind == "formula":
            cells.append(f'<c r="{ref}"><f>{rng.choice(["TODAY()", "A1+1", "1/0"])}</f></c>')
        elif kind == "inlineStr":
            cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{hf._escape(value)}</t></is></c>')
        elif kind == "none":
            cells.append(f'<c r="{ref}"><v>{value}</v></c>')
        else:
            cells.append(f'<c r="{ref}" t="{kind}"><v>{value}</v></c>')
    return f'<row r="2">{"".join(cells)}</row>'


# The classes: a name and a function of the random generator that builds one file.
def classes(big: bool) -> dict:
    column_letters = ["A", "G", "CV", "CW", "ZZ", "XFD", "XFE", "ZZZZZ", "A0", "1"]
    found = {
        "huge field": lambda r: hf.huge_field_csv(r.randrange(2_001, 400_000)),
        "runaway quote": lambda r: hf.runaway_quote_csv(r.randrange(0, 3_000)),
        "text after a closing quote": lambda r: hf.csv_file(
            f'01-03-2022;100,00;"bovenschools"{_cell(r) or "x"};;Z;L;F-1'
        ),
        "NUL in a field": lambda r: hf.nul_csv(r.randrange(0, 60_000)),
        "control character": lambda r: hf.csv_file(
            hf.GOOD_ROW.replace("Zomer", "Zomer" + chr(r.choice([1, 7, 8, 11, 12, 27, 31, 127])))
        ),
        "too many columns": lambda r: hf.csv_file(hf.GOOD_ROW + ";" * r.randrange(94, 5_000) + "x"),
        "XLSX declared dimension": lambda r: hf.declared_xlsx(
            f"A1:{r.choice(column_letters)}{r.choice([1, 2, 50_011, 1_048_576, 10**9, 0])}"
        ),
        "XLSX far row": lambda r: hf.far_row_xlsx(r.choice([50_012, 1_048_576, 10**7])),
        "XLSX wide row": lambda r: hf.wide_row_xlsx(r.choice(column_letters)),
        "XLSX cells in unexpected shapes": lambda r: hf.xlsx(
            hf.xml_row(1, hf.COLUMNS) + xml_cells(r)
        ),
        "XLSX shared string out of range": lambda r: hf.xlsx(
            hf.xml_row(1, hf.COLUMNS)
            + f'<row r="2"><c r="A2" t="s"><v>{r.choice([-1, 1, 99, 10**12, "x"])}</v></c></row>',
            shared_strings="<si><t>x</t></si>",
        ),
        "XLSX mutated part": lambda r: mutate_xlsx_entry(
            hf.xlsx(hf.good_xlsx_rows(*[row.split(";") for row in good_rows(r, 3)])), r
        ),
        "XLSX truncated": lambda r: (lambda data: data[: r.randrange(1, len(data))])(
            hf.xlsx(hf.good_xlsx_rows(hf.GOOD_ROW.split(";")))
        ),
        "XLSX one large cell": lambda r: hf.huge_cell_xlsx(r.randrange(2_001, 3_000_000)),
        "XLSX large shared string": lambda r: hf.huge_shared_string_xlsx(
            r.randrange(2_001, 3_000_000)
        ),
        "XLSX entity bomb": lambda r: hf.CASES["XLSX with an entity bomb"](),
        "mutated CSV": lambda r: mutate(hf.csv_file(*good_rows(r, r.randrange(1, 30))), r),
        "mutated header": lambda r: mutate(hf.HEADER.encode(), r) + b"\n" + hf.GOOD_ROW.encode(),
        "random bytes": lambda r: r.randbytes(r.randrange(0, 3_000)),
        "random text in an encoding": lambda r: "\n".join(
            [hf.HEADER, *(";".join(_cell(r) for _ in range(7)) for _ in range(5))]
        ).encode(
            r.choice(["utf-8", "cp1252", "mac_roman", "cp437", "utf-16", "utf-7", "latin-1"]),
            errors="replace",
        ),
        "other kinds": lambda r: r.choice(
            [hf.PNG, hf.ods(), hf.encrypted_xlsx(), b"%PDF-1.4\n" + r.randbytes(200)]
        ),
        "valid rows (must import)": lambda r: hf.csv_file(
            *good_rows(r, r.randrange(1, 50)), encoding=r.choice(["utf-8", "cp1252"])
        ),
    }
    if big:
        found |= {
            "many CSV rows": lambda r: hf.many_rows_csv(r.randrange(50_001, 1_000_000)),
            "XLSX many real rows": lambda r: hf.many_rows_xlsx(r.randrange(50_001, 400_000)),
            "XLSX zip bomb": lambda r: hf.huge_cell_xlsx(r.randrange(101, 300) * 1024 * 1024),
        }
    return found


@dataclass
class Tally:
    cases: int = 0
    refused: int = 0
    imported: int = 0
    crashes: list[str] = field(default_factory=list)
    partial: int = 0
    silent: int = 0
    slowest: float = 0.0
    largest: int = 0
    biggest_file: int = 0


def measured(function):
    tracemalloc.start()
    started = time.process_time()
    try:
        outcome = function()
    finally:
        seconds = time.process_time() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return outcome, seconds, peak


def through_command(path: Path, municipality) -> tuple[str, int, str]:
    """('refused'|'imported'|'crash', rows created, detail)."""
    stderr, stdout = io.StringIO(), io.StringIO()
    try:
        call_command(
            "import_expenditures",
            str(path),
            municipality=municipality.code,
            stderr=stderr,
            stdout=stdout,
        )
    except CommandError as error:
        if str(error) == "Niets geïmporteerd.":
            return ("refused" if stderr.getvalue().strip() else "silent"), 0, ""
        return "crash", 0, f"CommandError {error}"
    except Exception as error:  # what the fuzz run looks for
        return "crash", 0, f"{type(error).__name__}: {str(error)[:200]}"
    created = int(stdout.getvalue().strip().splitlines()[-1].split()[0])
    return "imported", created, ""


def through_upload(data: bytes, municipality, user) -> tuple[str, int, str]:
    try:
        job = start_expenditure_import(
            municipality=municipality, user=user, file_name="fuzz.bestand", data=data
        )
        job.refresh_from_db()
    except Exception as error:
        return "crash", 0, f"{type(error).__name__}: {str(error)[:200]}"
    if job.status == ImportStatus.REJECTED:
        return ("refused" if job.messages and all(job.messages) else "silent"), 0, ""
    if job.status == ImportStatus.DONE:
        return "imported", job.created_count, ""
    return "crash", 0, f"{job.status}: {job.messages[:1]}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-big", action="store_true", help="leave out the 20+ MB classes")
    parser.add_argument("--keep", default=str(Path(tempfile.gettempdir()) / "fuzz-crashes"))
    args = parser.parse_args()

    from import_expenditures import clear, world  # the bench municipality GM9901

    call_command("migrate", verbosity=0)
    celery_app.conf.task_always_eager = True  # the task runs in-process, as without a broker
    logging.disable(logging.ERROR)  # every refusal and crash is counted below instead
    municipality, user = world()
    clear(municipality)
    rng = random.Random(args.seed)  # noqa: S311 - reproducible fuzzing, not secrets
    builders = classes(big=not args.no_big)
    tallies: dict[tuple[str, str], Tally] = defaultdict(Tally)
    keep = Path(args.keep)
    deadline = time.monotonic() + args.minutes * 60
    files = 0
    media = tempfile.TemporaryDirectory()
    with override_settings(MEDIA_ROOT=media.name), tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "uitgaven.bestand"
        if True:  # outside a transaction, on_commit runs the (eager) task at once
            round_number = 0
            while time.monotonic() < deadline:
                round_number += 1
                for name, build in builders.items():
                    if time.monotonic() >= deadline:
                        break
                    # The large classes cost seconds each: one in five rounds.
                    if name in ("many CSV rows", "XLSX many real rows", "XLSX zip bomb") and (
                        round_number % 5 != 1
                    ):
                        continue
                    case_seed = rng.randrange(2**32)
                    data = build(random.Random(case_seed))  # noqa: S311
                    path.write_bytes(data)
                    files += 1
                    for route, run in (
                        ("command", lambda: through_command(path, municipality)),
                        ("upload", lambda: through_upload(data, municipality, user)),  # noqa: B023
                    ):
                        before = Expenditure.objects.filter(municipality=municipality).count()
                        (outcome, created, detail), seconds, peak = measured(run)
                        after = Expenditure.objects.filter(municipality=municipality).count()
                        tally = tallies[(name, route)]
                        tally.cases += 1
                        tally.slowest = max(tally.slowest, seconds)
                        tally.largest = max(tally.largest, peak)
                        tally.biggest_file = max(tally.biggest_file, len(data))
                        if outcome == "crash":
                            keep.mkdir(parents=True, exist_ok=True)
                            (keep / f"{case_seed}.bin").write_bytes(data)
                            tally.crashes.append(f"seed {case_seed}: {detail}")
                        elif outcome == "silent":
                            tally.silent += 1
                        elif outcome == "refused":
                            tally.refused += 1
                            if after != before:
                                tally.partial += 1
                        else:
                            tally.imported += 1
                            if after != before + created:
                                tally.partial += 1
                        if after:
                            clear(municipality)
    media.cleanup()
    report(tallies, files, args)


def report(tallies, files: int, args) -> None:
    print(f"Seed {args.seed}, {args.minutes:g} minutes: {files:,} files, each through both routes")
    print(
        "| class | route | cases | refused | imported | crashes | partial | no message "
        "| slowest (CPU s) | peak Python MB | largest file MB |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    totals = Tally()
    for (name, route), tally in sorted(tallies.items()):
        print(
            f"| {name} | {route} | {tally.cases} | {tally.refused} | {tally.imported} | "
            f"{len(tally.crashes)} | {tally.partial} | {tally.silent} | {tally.slowest:.2f} | "
            f"{tally.largest / 2**20:.1f} | {tally.biggest_file / 2**20:.1f} |"
        )
        totals.cases += tally.cases
        totals.refused += tally.refused
        totals.imported += tally.imported
        totals.crashes += tally.crashes
        totals.partial += tally.partial
        totals.silent += tally.silent
        totals.slowest = max(totals.slowest, tally.slowest)
        totals.largest = max(totals.largest, tally.largest)
    print(
        f"| **all** | both | {totals.cases} | {totals.refused} | {totals.imported} | "
        f"{len(totals.crashes)} | {totals.partial} | {totals.silent} | {totals.slowest:.2f} | "
        f"{totals.largest / 2**20:.1f} | |"
    )
    for crash in totals.crashes[:50]:
        print("CRASH", crash)


if __name__ == "__main__":
    main()
