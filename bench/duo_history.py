"""Benchmark: the register of municipalities since 2016, and a 7,000-row DUO file of 2017.

    DJANGO_DEBUG=false DJANGO_SECRET_KEY=bench-only \
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/npo_h18_bench \
        .venv/bin/python bench/duo_history.py --rows 7000

1. Migrates (migration 0004 loads the register) and loads the register again through
   `import_municipalities`' service: rows read and the time to parse and load.
2. Generates a DUO bo location file as a 2017 download has it (BRIN NUMMER/VESTIGINGSNUMMER,
   `;`, Windows-1252, padded, municipality numbers without leading zeros) with `--rows`
   locations spread over the municipalities of 1-6-2017 (49 of which ended by 2021; the split
   ones in their places), and imports it through `schools.services.import_schools`: first
   import (creates) and again (changes nothing).
3. Imports DUO's po pupil-count file for the same locations (LEERLINGEN_2018..2021) through
   `finance.services.pupil_counts.import_pupil_counts`, twice.
4. `--split-rows` locations only in the municipalities that were split (Winsum,
   Littenseradiel, Haaren), in the same 2017 shape and as DUO writes them: a third with a
   postcode from the postcode table, the others by place with PostNL's province suffix
   (`WINSUM GN`, `BEARS FR`) or by their Frisian or Dutch name, and one in fifty in a place
   no list knows (held for the functional administrator). Imported twice, in rows/s.

It replaces the schools whose BRIN starts with 9 or 8, the held locations and the po pupil
counts. Not part of the test suite; results in bench/README.md.
"""

import argparse
import datetime
import os
import random
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "npo_portal.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402

from accounts import placement, register, split_postcodes  # noqa: E402
from accounts.models import Municipality, SplitPlace  # noqa: E402
from finance.services.pupil_counts import import_pupil_counts  # noqa: E402
from npo_portal.duo_files import SHAPES, Location, location_file, po_pupil_file  # noqa: E402
from plans.models import PupilCount  # noqa: E402
from schools.models import HeldLocation, School  # noqa: E402
from schools.services import import_schools  # noqa: E402

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def timed(label, function):
    started = time.perf_counter()
    value = function()
    elapsed = time.perf_counter() - started
    print(f"{label}: {elapsed:.2f} s")
    return value, elapsed


def locations(count: int, rng: random.Random) -> list[Location]:
    """`count` locations, two per BRIN (9xxx), over the municipalities of 1-6-2017."""
    day = datetime.date(2017, 6, 1)
    municipalities = list(Municipality.objects.existing_on(day).order_by("code"))
    places = {}
    for place in SplitPlace.objects.select_related("municipality"):
        places.setdefault(place.municipality.code, []).append(place.place)
    found = []
    for index in range(count):
        municipality = municipalities[index % len(municipalities)]
        number = index // 2
        brin = f"9{number // 676 % 10}{LETTERS[number // 26 % 26]}{LETTERS[number % 26]}"
        place = rng.choice(places.get(municipality.code, [municipality.name]))
        found.append(
            Location(
                brin=brin,
                vestiging=f"{index % 2:02d}",
                name=f"Basisschool {brin}-{index % 2}",
                board=f"{1000 + number % 800:05d}",
                place=place,
                municipality_code=municipality.code,
                municipality_name=municipality.name,
                pupils=rng.randint(40, 600),
            )
        )
    return found


SUFFIXES = {"GM0053": " GN", "GM0140": " FR", "GM0788": ""}


def split_locations(count: int, rng: random.Random) -> list[Location]:
    """`count` locations in the split municipalities, as DUO writes them (BRIN 8xxx)."""
    splits = list(Municipality.objects.filter(code__in=SUFFIXES).order_by("code"))
    places = {}
    for place in SplitPlace.objects.select_related("municipality", "successor"):
        places.setdefault(place.municipality.code, []).append((place.place, place.successor.code))
    areas = {}
    for row in split_postcodes.read_shipped_postcodes():
        areas.setdefault(row.split, []).append((row.area, row.successor))
    found = []
    for index in range(count):
        split = splits[index % len(splits)]
        number = index // 2
        brin = f"8{number // 676 % 10}{LETTERS[number // 26 % 26]}{LETTERS[number % 26]}"
        way = index // len(splits) % 3
        place, _successor = rng.choice(places[split.code])
        postcode = "9999ZZ"  # an area no table holds: the place decides
        if index % 50 == 49:
            place = "Nergenshuizen"
        elif way == 0:
            # A postcode of the table, in one of the places of the same successor.
            area, successor = rng.choice(areas[split.code])
            postcode = f"{area}AB"
            place = rng.choice([p for p, s in places[split.code] if s == successor])
        elif way == 1:
            place = place.upper() + SUFFIXES[split.code]
        found.append(
            Location(
                brin=brin,
                vestiging=f"{index % 2:02d}",
                name=f"Basisschool {brin}-{index % 2}",
                board=f"{1000 + number % 800:05d}",
                place=place,
                municipality_code=split.code,
                municipality_name=split.name,
                postcode=postcode,
            )
        )
    return found


def rate(rows: int, elapsed: float) -> str:
    return f"{rows / elapsed:,.0f} rows/s"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=7000)
    parser.add_argument("--split-rows", type=int, default=3000)
    parser.add_argument("--only-splits", action="store_true", help="step 4 alone")
    args = parser.parse_args()
    rng = random.Random(18)  # noqa: S311 - made-up data, the same every run
    call_command("migrate", verbosity=0)
    if not args.only_splits:
        whole_country(args, rng)
    splits(args, rng)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of the process: {peak:.0f} MB")


def whole_country(args, rng):
    """Steps 1-3: the register, a 2017 file over the whole country, its pupil counts."""
    data, _elapsed = timed("register: parse both files", register.read_shipped_register)
    result, _elapsed = timed(
        "register: load (already loaded: changes nothing)",
        lambda: register.load_register(
            data=data, municipality_model=Municipality, place_model=SplitPlace
        ),
    )
    print(
        f"register: {len(data.municipalities)} municipalities, {len(data.places)} places; "
        f"{result.summary()}"
    )
    ended = Municipality.objects.filter(valid_until__lt=datetime.date(2021, 7, 1)).count()
    print(
        f"register: {Municipality.objects.count()} in the database, {ended} ended before 1-7-2021"
    )

    School.objects.filter(brin__startswith="9").delete()
    PupilCount.objects.filter(sector="po").delete()
    rows = locations(args.rows, rng)
    content = location_file(rows, SHAPES[0])
    listed = {row.municipality_code for row in rows}
    gone = Municipality.objects.filter(
        code__in=listed, valid_until__lt=datetime.date(2021, 1, 1)
    ).count()
    print(
        f"DUO file: {len(rows)} rows, {len(content) / 1e6:.1f} MB, {len(listed)} municipalities "
        f"of which {gone} ended before 2021"
    )
    first, elapsed = timed("import_schools, first", lambda: import_schools(content=content))
    if not first.ok:
        raise SystemExit("\n".join(first.errors[:5]))
    print(f"  {first.summary()} ({rate(len(rows), elapsed)})")
    print(f"  mapped from {len(first.mapped)} old municipalities, e.g.:")
    for line in first.mapped_summary()[:3]:
        print(f"    {line}")
    again, elapsed = timed("import_schools, again", lambda: import_schools(content=content))
    if not again.ok or again.schools_unchanged != len(rows):
        raise SystemExit("the second import changed something")
    print(f"  {again.summary()} ({rate(len(rows), elapsed)})")

    pupils = po_pupil_file(
        rows,
        years={
            year: {row.brin + row.vestiging: row.pupils + year - 2020 for row in rows}
            for year in (2018, 2019, 2021)
        },
    )
    counted, _elapsed = timed(
        "import_pupil_counts (po), first",
        lambda: import_pupil_counts(content=pupils, file_name="leerlingen_po.csv"),
    )
    print(f"  {counted.summary()}")
    timed(
        "import_pupil_counts (po), again",
        lambda: import_pupil_counts(content=pupils, file_name="leerlingen_po.csv"),
    )


def splits(args, rng):
    """Step 4: a 2017 file of the split municipalities only, as DUO writes them."""
    School.objects.filter(brin__startswith="9").delete()
    School.objects.filter(brin__startswith="8").delete()
    HeldLocation.objects.filter(brin__startswith="8").delete()
    split_rows = split_locations(args.split_rows, rng)
    content = location_file(split_rows, SHAPES[0])
    print(f"DUO file of split municipalities: {len(split_rows)} rows, {len(content) / 1e6:.1f} MB")
    places = placement.Register.load()
    day = datetime.date(2021, 7, 1)
    _placed, elapsed = timed(
        "placing alone (postcode, then place as DUO writes it), in memory",
        lambda: [
            places.place(
                code=row.municipality_code, place=row.place, day=day, postcode=row.postcode
            )
            for row in split_rows
        ],
    )
    print(f"  {rate(len(split_rows), elapsed)}")
    for label in ("first", "again"):
        result, elapsed = timed(
            f"import_schools (splits, as DUO writes them), {label}",
            lambda: import_schools(content=content),
        )
        if not result.ok:
            raise SystemExit("\n".join(result.errors[:5]))
        print(f"  {result.summary()} Held: {len(result.held)}. ({rate(len(split_rows), elapsed)})")
        for line in result.mapped_summary():
            print(f"    {line}")


if __name__ == "__main__":
    main()
