"""The boards and schools of the national data set, written as DUO's files and loaded by
the portal's own import."""

import csv
from pathlib import Path

from accounts.models import Role, SchoolBoard, User
from dataset.world import (
    BATCH,
    FIRST_BOARD_NUMBER,
    PUPIL_COUNT_DAY,
    SCHOOL_WORDS,
    USER_PREFIX,
    Context,
    brin_code,
    exists_on,
)
from schools.models import (
    Sector,
)
from schools.services import import_schools


class DuoImportFailed(Exception):
    """A DUO file the generator wrote did not import; the message lists the import's errors."""


# DUO's newer header names; the so file starts with the kind of school, the vo file adds
# its structure (see domain.md, "Identifiers and scale").
DUO_LOCATION_HEADER = [
    "BEVOEGD GEZAG NUMMER", "INSTELLINGSCODE", "VESTIGINGSCODE", "VESTIGINGSNAAM",
    "PLAATSNAAM", "GEMEENTENUMMER", "GEMEENTENAAM",
]  # fmt: skip


DUO_BOARD_HEADER = ["BEVOEGD GEZAG NUMMER", "BEVOEGD GEZAG NAAM"]


DUO_KIND = {Sector.PO: "bo", Sector.SO: "so", Sector.VO: "vo"}


def write_duo_files(ctx: Context, count: int, folder: Path) -> list[Path]:
    """Write DUO's board and location files (besturenbo.csv, vestigingenbo.csv, ...) for
    `count` school locations in the municipalities of the pupil count day."""
    rng = ctx.rng
    munis = [m for m in ctx.municipalities if exists_on(m, PUPIL_COUNT_DAY)]
    # About seven locations per board, as in DUO's register; a board is rooted in one
    # municipality and one in five also runs schools in the next ones.
    board_count = max(1, count // 7)
    boards = [
        (
            str(FIRST_BOARD_NUMBER + i),
            f"Stichting {rng.choice(['Primo', 'Fluvius', 'Aves', 'Cedin', 'Prisma'])} {i + 1}",
        )
        for i in range(board_count)
    ]
    # Big cities hold many more schools than villages: a Zipf-like weight over a shuffled
    # order puts about 2.5 % of the schools (and so of the money) in the largest municipality.
    order = list(range(len(munis)))
    rng.shuffle(order)
    weights = [0.0] * len(munis)
    for rank, index in enumerate(order):
        weights[index] = 1 / (rank + 10)
    home = rng.choices(range(len(munis)), weights=weights, k=board_count)
    regional = {i for i in range(board_count) if rng.random() < 0.2}
    locations: dict[str, list[list[str]]] = {"bo": [], "so": [], "vo": []}
    board_rows: dict[str, dict[str, str]] = {"bo": {}, "so": {}, "vo": {}}
    for i in range(count):
        # Every municipality gets at least one school, the rest go to boards at random.
        b = i % board_count if i < board_count else rng.randrange(board_count)
        if i < len(munis):
            muni_index = i
        elif b in regional:
            muni_index = (home[b] + rng.randrange(3)) % len(munis)
        else:
            muni_index = home[b]
        municipality = munis[muni_index]
        sector = rng.choices([Sector.PO, Sector.SO, Sector.VO], weights=[80, 5, 15])[0]
        pupils = rng.randint(80, 450) if sector != Sector.VO else rng.randint(400, 1800)
        ctx.pupils[municipality.pk] = ctx.pupils.get(municipality.pk, 0) + pupils
        name = (
            f"{'Basisschool' if sector == Sector.PO else 'School'} "
            f"{rng.choice(SCHOOL_WORDS)} {municipality.name}"
        )
        brin = brin_code(i)
        kind = DUO_KIND[sector]
        number, board_name = boards[b]
        row = [number, brin, f"{brin}00", name, municipality.name.upper()]
        # DUO writes the municipality without GM and its name in capitals without apostrophes.
        row += [municipality.code.removeprefix("GM"), municipality.name.upper().replace("'", "")]
        if kind == "so":
            row.insert(0, "SO")
        elif kind == "vo":
            row.append(rng.choice(["VMBO", "HAVO/VWO", "VMBO/HAVO/VWO"]))
        locations[kind].append(row)
        board_rows[kind][number] = board_name
        ctx.board_numbers.add(number)
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for kind, rows in locations.items():
        if not rows:  # DUO's files always have rows; the import refuses an empty one
            continue
        header = list(DUO_LOCATION_HEADER)
        if kind == "so":
            header.insert(0, "SOORT PRIMAIR ONDERWIJS")
        elif kind == "vo":
            header.append("ONDERWIJSSTRUCTUUR")
        boards_file = folder / f"besturen{kind}.csv"
        locations_file = folder / f"vestigingen{kind}.csv"
        _write_csv(boards_file, DUO_BOARD_HEADER, sorted(board_rows[kind].items()))
        _write_csv(locations_file, header, rows)
        files += [boards_file, locations_file]
    return files


def _write_csv(path: Path, header: list[str], rows) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter=";")
        writer.writerow(header)
        writer.writerows(rows)


def import_duo_files(ctx: Context, files: list[Path]) -> None:
    """Load the files as an administrator would: each board file, then its locations."""
    for path in files:
        outcome = import_schools(content=path.read_bytes())
        if not outcome.ok:
            raise DuoImportFailed(f"{path.name}: " + " ".join(outcome.errors[:5]))
    ctx.boards = list(SchoolBoard.objects.filter(number__in=ctx.board_numbers).order_by("number"))
    board_users = []
    for board in ctx.boards:
        user = User(
            username=f"{USER_PREFIX}bestuur-{board.number}",
            role=Role.SCHOOL_BOARD,
            school_board=board,
        )
        user.set_unusable_password()
        board_users.append(user)
    User.objects.bulk_create(board_users, batch_size=BATCH)
    for user in User.objects.filter(username__startswith=f"{USER_PREFIX}bestuur-"):
        ctx.board_users[user.school_board_id] = user
