"""A synthetic national data set for benchmarks: every municipality with schools, boards,
plans, needs rounds, allocations, payments and expenditures at the size of the Netherlands.

Municipalities that merged during the programme are part of it on their real dates: each
one's data lies within its existence, and the mergers run through the portal's own service
at the end. Schools and boards come from DUO-shaped files, loaded by the import service.

Built with bulk inserts and, on PostgreSQL, COPY for the expenditures. Generated rows get no
history records (they are not edits by anyone); the `version` fields keep their defaults.
"""

import csv
import datetime
import io
import random
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Municipality, Role, SchoolBoard, User
from finance.mergers import MergerResult, merge_municipalities
from finance.models import Expenditure, Payment, PaymentScheduleEntry, SpendingSummary
from finance.selectors import finance_programme
from finance.services import duplicate_key
from finance.summary import rebuild_spending_summary
from plans.models import (
    Allocation,
    Intervention,
    InterventionBudget,
    InterventionStatus,
    MenuItem,
    Plan,
    PlanStatus,
    SpendingGoal,
)
from schools.models import (
    AnswerStatus,
    DelayAssessment,
    Domain,
    NeedsAnswer,
    NeedsRound,
    RoundStatus,
    School,
    Sector,
    Severity,
)
from schools.services import import_schools

BATCH = 5000
COPY_CHUNK = 100_000
PER_PUPIL = Decimal("118.11")
# The allocation counts the pupils of 1 October 2020 (Stcrt. 2021, 42927), so the schools
# lie in the municipalities of that day, before any merger of the programme.
PUPIL_COUNT_DAY = datetime.date(2020, 10, 1)
# Expenditures are dated over these years; the days outside the programme come out ineligible.
FIRST_DAY, LAST_DAY = datetime.date(2021, 1, 1), datetime.date(2025, 12, 31)
CENT = Decimal("0.01")
USER_PREFIX = "nat-"
# Well away from the demo's boards (41001, 41002) and BRINs (11MB, 22VL).
FIRST_BOARD_NUMBER = 60000
FIRST_BRIN_DIGITS = 30
PORTAL_DATA = (Plan, School, Expenditure, Payment, NeedsRound, Allocation)

SUPPLIERS = [
    "Stichting Leerkracht",
    "Bibliotheek Zuid",
    "GGD Regio",
    "Sportbedrijf",
    "Huiswerkbegeleiding Plus",
    "Taalhuis",
    "Kinderopvang De Vlinder",
    "Jeugdzorg Noord",
    "Muziekschool",
    "Onderwijsadvies BV",
]
MEASURES = [
    "Bijles rekenen",
    "Zomerschool",
    "Voorlezen in de klas",
    "Schoolmaatschappelijk werk",
    "Extra handen in de klas",
    "Sport na school",
    "Taalklas nieuwkomers",
    "Huiswerkbegeleiding",
    "Verlengde schooldag",
    "Ouderbetrokkenheid",
    "Coaching thuiszitters",
    "Tutoring door studenten",
]
SCHOOL_WORDS = ["De Regenboog", "Het Kompas", "De Wegwijzer", "Sint Jozef", "De Fontein"]
SCHOOL_WORDS += ["Het Baken", "De Horizon", "Prins Willem", "De Klimop", "Het Anker"]


class PortalDataExists(Exception):
    """The database already holds portal data; generating on top of it would mix the two."""


@dataclass
class Result:
    counts: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    mergers: list[MergerResult] = field(default_factory=list)


class DuoImportFailed(Exception):
    """A DUO file the generator wrote did not import; the message lists the import's errors."""


def has_portal_data() -> bool:
    """Whether any plan, school, expenditure, payment, needs round or allocation exists."""
    return any(model.objects.exists() for model in PORTAL_DATA)


def _money(value: float) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def _wipe() -> None:
    """Remove the portal data (not the reference data and not the people who are no
    generated users) so that the set can be generated again."""
    if connection.vendor == "postgresql":
        tables = [
            m._meta.db_table
            for m in (
                Expenditure,
                SpendingSummary,
                Payment,
                NeedsRound,
                NeedsAnswer,
                Plan,
                Allocation,
                School,
            )
        ]
        with connection.cursor() as cursor:
            # Inside a surrounding transaction deferred foreign-key checks may be pending,
            # and PostgreSQL refuses TRUNCATE until they have run.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
    else:
        for model in (
            Expenditure,
            SpendingSummary,
            Payment,
            DelayAssessment,
            NeedsAnswer,
            NeedsRound,
        ):
            model.objects.all().delete()
        for model in (InterventionBudget, Intervention, Plan, Allocation, School):
            model.objects.all().delete()
    User.objects.filter(username__startswith=USER_PREFIX).delete()
    SchoolBoard.objects.filter(number__gte=str(FIRST_BOARD_NUMBER)).filter(
        schools__isnull=True, users__isnull=True
    ).delete()


def _brin(index: int) -> str:
    letters = (index % 676) // 26, index % 26
    return f"{FIRST_BRIN_DIGITS + index // 676:02d}{chr(65 + letters[0])}{chr(65 + letters[1])}"


def generate(
    *,
    municipalities: int,
    schools: int,
    expenditures: int,
    seed: int = 2021,
    force: bool = False,
    codes: Sequence[str] = (),
    duo_dir: Path | None = None,
    log: Callable[[str], None] = lambda line: None,
) -> Result:
    """Generate the data set for the first `municipalities` municipalities (by CBS code)
    that existed on 1-1-2023, or for those with `codes`, and for every municipality that
    merged into one of them. The DUO files go to `duo_dir` (kept) or a temporary folder.
    Refuses when portal data exists, unless `force` wipes it."""
    if has_portal_data() and not force:
        raise PortalDataExists
    rng = random.Random(seed)  # noqa: S311 - reproducible synthetic data
    result = Result()
    started = time.perf_counter()

    def step(name: str, since: float) -> float:
        now = time.perf_counter()
        result.timings[name] = now - since
        log(f"{name}: {now - since:.1f} s")
        return now

    with transaction.atomic(), tempfile.TemporaryDirectory() as scratch:
        t = time.perf_counter()
        if force:
            _wipe()
            t = step("wipe", t)
        programme = finance_programme()
        ctx = _Context(rng=rng, programme=programme, municipalities=_chosen(municipalities, codes))
        _users(ctx)
        t = step("users", t)
        folder = Path(duo_dir) if duo_dir else Path(scratch)
        files = _write_duo_files(ctx, schools, folder)
        t = step("DUO files written", t)
        _import_duo_files(ctx, files)
        t = step("DUO files imported (boards and schools)", t)
        _allocations_and_payments(ctx)
        t = step("allocations and payments", t)
        _plans(ctx)
        t = step("plans, interventions and budgets", t)
        _needs(ctx)
        t = step("needs rounds and answers", t)
        _expenditures(ctx, expenditures)
        t = step("expenditures", t)
        # Loaded around the services, so the summary the totals read is built here.
        rebuild_spending_summary()
        t = step("spending summary", t)
        result.mergers = _mergers(ctx)
        t = step("mergers", t)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        step("analyze", t)
    result.timings["total"] = time.perf_counter() - started
    result.counts = {
        "municipalities": len(ctx.municipalities),
        "mergers": len(result.mergers),
        "boards": len(ctx.boards),
        "schools": School.objects.count(),
        "plans": Plan.objects.count(),
        "interventions": Intervention.objects.count(),
        "budgets": InterventionBudget.objects.count(),
        "needs rounds": NeedsRound.objects.count(),
        "needs answers": NeedsAnswer.objects.count(),
        "allocations": Allocation.objects.count(),
        "payments": Payment.objects.count(),
        "expenditures": Expenditure.objects.count(),
    }
    return result


def _chosen(count: int, codes: Sequence[str]) -> list[Municipality]:
    """The municipalities asked for and every one that merged into them, by code."""
    # Municipalities that ended before the programme hold no grant: they get no data.
    every = {m.pk: m for m in Municipality.objects.in_programme()}
    if codes:
        roots = {m.pk for m in every.values() if m.code in codes}
    else:
        existing = Municipality.objects.existing_on(datetime.date(2023, 1, 1)).order_by("code")
        roots = set(existing.values_list("pk", flat=True)[:count])

    def final(m: Municipality) -> Municipality:
        while m.successor_id:
            m = every[m.successor_id]
        return m

    chosen = [m for m in every.values() if final(m).pk in roots]
    for m in chosen:
        # Share the objects, so that following a successor stays in memory.
        m.successor = every[m.successor_id] if m.successor_id else None
    return sorted(chosen, key=lambda m: m.code)


def _holder(m: Municipality, day: datetime.date) -> Municipality:
    """The municipality that holds `m`'s grant on `day`: `m` itself, or the one it merged into."""
    while m.successor is not None and m.valid_until < day:
        m = m.successor
    return m


def _exists_on(m: Municipality, day: datetime.date) -> bool:
    return (m.valid_from is None or m.valid_from <= day) and (
        m.valid_until is None or day <= m.valid_until
    )


def _window(m: Municipality, first: datetime.date, last: datetime.date):
    """The part of `first`..`last` in which `m` exists."""
    return max(first, m.valid_from or first), min(last, m.valid_until or last)


@dataclass
class _Context:
    rng: random.Random
    programme: object
    municipalities: list[Municipality]
    board_numbers: set[str] = field(default_factory=set)
    boards: list[SchoolBoard] = field(default_factory=list)
    pupils: dict[int, int] = field(default_factory=dict)
    allocations: dict[int, Decimal] = field(default_factory=dict)
    policy: dict[int, User] = field(default_factory=dict)
    finance: dict[int, User] = field(default_factory=dict)
    board_users: dict[int, User] = field(default_factory=dict)
    interventions: dict[int, list[tuple[int, int, str]]] = field(default_factory=dict)


def _users(ctx: _Context) -> None:
    users = []
    for m in ctx.municipalities:
        for role, kind in ((Role.POLICY_OFFICER, "beleid"), (Role.FINANCE_OFFICER, "financien")):
            user = User(
                username=f"{USER_PREFIX}{kind}-{m.code.lower()}",
                role=role,
                municipality=m,
                email=f"{kind}@{m.code.lower()}.example",
            )
            user.set_unusable_password()
            users.append(user)
    User.objects.bulk_create(users, batch_size=BATCH)
    for user in User.objects.filter(username__startswith=USER_PREFIX, municipality__isnull=False):
        target = ctx.policy if user.role == Role.POLICY_OFFICER else ctx.finance
        target[user.municipality_id] = user


# DUO's newer header names; the so file starts with the kind of school, the vo file adds
# its structure (see domain.md, "Identifiers and scale").
DUO_LOCATION_HEADER = [
    "BEVOEGD GEZAG NUMMER", "INSTELLINGSCODE", "VESTIGINGSCODE", "VESTIGINGSNAAM",
    "PLAATSNAAM", "GEMEENTENUMMER", "GEMEENTENAAM",
]  # fmt: skip
DUO_BOARD_HEADER = ["BEVOEGD GEZAG NUMMER", "BEVOEGD GEZAG NAAM"]
DUO_KIND = {Sector.PO: "bo", Sector.SO: "so", Sector.VO: "vo"}


def _write_duo_files(ctx: _Context, count: int, folder: Path) -> list[Path]:
    """Write DUO's board and location files (besturenbo.csv, vestigingenbo.csv, ...) for
    `count` school locations in the municipalities of the pupil count day."""
    rng = ctx.rng
    munis = [m for m in ctx.municipalities if _exists_on(m, PUPIL_COUNT_DAY)]
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
        brin = _brin(i)
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


def _import_duo_files(ctx: _Context, files: list[Path]) -> None:
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


def _allocations_and_payments(ctx: _Context) -> None:
    """An allocation for every municipality that existed when the programme started (one
    formed later holds its predecessors'), paid to whoever holds it on the payment day."""
    allocations, payments = [], []
    schedule = list(PaymentScheduleEntry.objects.filter(programme=ctx.programme))
    for m in ctx.municipalities:
        if not _exists_on(m, ctx.programme.start):
            continue
        # € 118,11 per pupil for the whole programme, not per year or month (Stcrt. 2021, 42927).
        amount = _money(ctx.pupils.get(m.pk, 0) * PER_PUPIL)
        ctx.allocations[m.pk] = amount
        allocations.append(
            Allocation(
                programme=ctx.programme,
                municipality=m,
                amount=amount,
                # The count the amount is based on: the monitor's size classes read it.
                pupils=ctx.pupils.get(m.pk) or None,
                decision_reference=f"OCW/NPO/{m.code}",
            )
        )
        for entry in schedule:
            day = entry.due_month + datetime.timedelta(days=ctx.rng.randrange(5, 25))
            holder = _holder(m, day)
            payments.append(
                Payment(
                    programme=ctx.programme,
                    municipality=holder,
                    date=day,
                    amount=_money(amount * entry.parts / entry.total_parts),
                    reference=f"NPO {entry.due_month:%m-%Y}",
                    recorded_by=ctx.finance[holder.pk],
                )
            )
    Allocation.objects.bulk_create(allocations, batch_size=BATCH)
    Payment.objects.bulk_create(payments, batch_size=BATCH)


def _plans(ctx: _Context) -> None:
    rng, programme = ctx.rng, ctx.programme
    goals = list(SpendingGoal.objects.filter(programme=programme).order_by("order"))
    menu = list(MenuItem.objects.order_by("pk").values_list("pk", flat=True))
    statuses = [PlanStatus.CONCEPT, PlanStatus.ADOPTED, PlanStatus.IN_PROGRESS]
    Plan.objects.bulk_create(
        [
            Plan(
                municipality=m,
                programme=programme,
                title=f"NPO-plan {m.name}",
                context=f"Analyse van de onderwijsachterstanden in {m.name}.",
                status=rng.choices(statuses, weights=[15, 25, 60])[0],
            )
            for m in ctx.municipalities
        ],
        batch_size=BATCH,
    )
    plans = dict(Plan.objects.filter(programme=programme).values_list("municipality_id", "pk"))
    interventions = []
    for m in ctx.municipalities:
        first, last = _window(m, programme.start, programme.end)
        for n in range(rng.randint(5, 60)):
            goal = goals[rng.randrange(len(goals))]
            start = first + datetime.timedelta(
                days=rng.randrange(min(500, (last - first).days + 1))
            )
            end = min(last, start + datetime.timedelta(days=rng.randrange(90, 900)))
            interventions.append(
                Intervention(
                    plan_id=plans[m.pk],
                    code=f"I-{n + 1:02d}",
                    title=rng.choice(MEASURES),
                    goal=goal,
                    menu_item_id=rng.choice(menu) if menu and rng.random() < 0.7 else None,
                    target_groups=rng.sample(["po", "vo", "so", "voorschool"], rng.randint(1, 2)),
                    partners=[],
                    start=start,
                    end=end,
                    planned_reach=rng.randint(20, 800),
                    status=rng.choice(list(InterventionStatus.values)),
                )
            )
    Intervention.objects.bulk_create(interventions, batch_size=BATCH)
    budgets = []
    rows = Intervention.objects.filter(plan__programme=programme).values_list(
        "pk", "plan__municipality_id", "goal_id", "goal__code", "start", "end"
    )
    for pk, municipality_id, goal_id, goal_code, start, end in rows.order_by("pk"):
        ctx.interventions.setdefault(municipality_id, []).append((pk, goal_id, goal_code))
        for year in range(start.year, end.year + 1):
            budgets.append(
                InterventionBudget(
                    intervention_id=pk,
                    year=year,
                    amount=_money(rng.randint(1, 40) * 500),
                )
            )
    InterventionBudget.objects.bulk_create(budgets, batch_size=BATCH)


def _needs(ctx: _Context) -> None:
    """A round for 2022 and 2023 in each municipality that exists on its deadline, answered
    for the schools it holds on that day."""
    rng = ctx.rng
    now, today = timezone.now(), timezone.localdate()
    # The open round still runs: its deadline lies ahead, whenever the set is made.
    deadlines = {2022: datetime.date(2022, 11, 1), 2023: today + datetime.timedelta(30)}
    rounds = [
        NeedsRound(
            municipality=m,
            title=f"Behoeftepeiling {year}",
            school_year=f"{year}-{year + 1}",
            deadline=deadline,
            status=RoundStatus.CLOSED if year < 2023 else RoundStatus.OPEN,
            opened_by=ctx.policy[m.pk],
            opened_at=now - datetime.timedelta(days=365 * (2024 - year)),
            closed_at=now if year < 2023 else None,
        )
        for m in ctx.municipalities
        for year, deadline in deadlines.items()
        if _exists_on(m, deadline)
    ]
    NeedsRound.objects.bulk_create(rounds, batch_size=BATCH)
    round_ids = {
        (municipality_id, int(school_year[:4])): pk
        for pk, municipality_id, school_year in NeedsRound.objects.values_list(
            "pk", "municipality_id", "school_year"
        )
    }
    by_pk = {m.pk: m for m in ctx.municipalities}
    answers = []
    schools = School.objects.values_list("pk", "municipality_id", "board_id").order_by("pk")
    for school_id, municipality_id, board_id in schools:
        for year, deadline in deadlines.items():
            round_id = round_ids.get((_holder(by_pk[municipality_id], deadline).pk, year))
            if round_id is None:
                continue
            if rng.random() < 0.8:
                submitted = rng.random() < 0.7
                user = ctx.board_users[board_id]
                answers.append(
                    NeedsAnswer(
                        round_id=round_id,
                        school_id=school_id,
                        board_id=board_id,
                        status=AnswerStatus.SUBMITTED if submitted else AnswerStatus.DRAFT,
                        free_text="Veel leerlingen lopen achter bij begrijpend lezen.",
                        updated_by=user,
                        submitted_at=now if submitted else None,
                        submitted_by=user if submitted else None,
                    )
                )
    NeedsAnswer.objects.bulk_create(answers, batch_size=BATCH)
    domains, severities = list(Domain.values), list(Severity.values)
    delays = []
    for answer_id in NeedsAnswer.objects.values_list("pk", flat=True).order_by("pk"):
        for domain in rng.sample(domains, 3):
            delays.append(
                DelayAssessment(
                    answer_id=answer_id,
                    domain=domain,
                    severity=rng.choice(severities),
                    share_of_pupils=rng.randint(0, 60),
                )
            )
    DelayAssessment.objects.bulk_create(delays, batch_size=BATCH)


def _expenditure_rows(ctx: _Context, count: int):
    """Yield expenditure rows as tuples, spread over the municipalities by the allocation
    each holds (its own and its predecessors') and the part of the years it exists."""
    rng, programme = ctx.rng, ctx.programme
    goals = list(SpendingGoal.objects.filter(programme=programme).values_list("pk", "code"))
    held: dict[int, Decimal] = {}
    for m in ctx.municipalities:
        holder = m
        while holder is not None:
            held[holder.pk] = held.get(holder.pk, Decimal(0)) + ctx.allocations.get(m.pk, 0)
            holder = holder.successor
    span = (LAST_DAY - FIRST_DAY).days + 1
    windows = {m.pk: _window(m, FIRST_DAY, LAST_DAY) for m in ctx.municipalities}
    weights = {
        pk: held[pk] * ((last - first).days + 1) / span for pk, (first, last) in windows.items()
    }
    total = sum(weights.values()) or Decimal(1)
    now = timezone.now()
    made = 0
    for index, m in enumerate(ctx.municipalities):
        n = (
            count - made
            if index == len(ctx.municipalities) - 1
            else int(count * weights[m.pk] / total)
        )
        made += n
        interventions = ctx.interventions.get(m.pk, [])
        user_id = ctx.finance[m.pk].pk
        first, last = windows[m.pk]
        for i in range(n):
            # The period is part of the data, so dates outside it (2021 before the start,
            # late 2025 after the end) are generated and come out ineligible.
            day = first + datetime.timedelta(days=rng.randrange((last - first).days + 1))
            if interventions and rng.random() < 0.75:
                intervention_id, goal_id, goal_code = rng.choice(interventions)
            else:
                intervention_id = None
                goal_id, goal_code = rng.choice(goals)
            # A mean of about € 250: a million of them is near the national € 300 million.
            amount = _money(rng.lognormvariate(4.8, 1.2))
            if rng.random() < 0.03:
                amount = -amount
            supplier = rng.choice(SUPPLIERS)
            invoice = f"{day.year}-{i + 1:06d}"
            description = rng.choice(MEASURES)
            key = duplicate_key(
                municipality_code=m.code,
                date=day,
                amount=amount,
                goal_code=goal_code,
                invoice_number=invoice,
                supplier=supplier,
                description=description,
            )
            yield (
                programme.pk,
                m.pk,
                day,
                amount,
                goal_id,
                intervention_id,
                description,
                supplier,
                invoice,
                user_id,
                now,
                key,
                1,
            )


def _mergers(ctx: _Context) -> list[MergerResult]:
    """Record each merger of the register through the portal's service, in date order. The
    data is already split by date, so only the school locations and the users move."""
    groups: dict[tuple[datetime.date, int], list[Municipality]] = {}
    for m in ctx.municipalities:
        if m.successor is not None:
            groups.setdefault((m.valid_until, m.successor.pk), []).append(m)
    by_pk = {m.pk: m for m in ctx.municipalities}
    return [
        merge_municipalities(
            successor=by_pk[successor_id],
            predecessors=predecessors,
            day=last_day + datetime.timedelta(days=1),
            move_users=True,
            user=None,
        )
        for (last_day, successor_id), predecessors in sorted(groups.items())
    ]


COLUMNS = [
    "programme_id", "municipality_id", "date", "amount", "goal_id", "intervention_id",
    "description", "supplier", "invoice_number", "recorded_by_id", "created_at",
    "duplicate_key", "version",
]  # fmt: skip


def _expenditures(ctx: _Context, count: int) -> None:
    rows = _expenditure_rows(ctx, count)
    if connection.vendor == "postgresql":
        copy_rows(rows)
        return
    batch = []
    for row in rows:
        batch.append(Expenditure(**dict(zip(COLUMNS, row, strict=True))))
        if len(batch) == BATCH:
            Expenditure.objects.bulk_create(batch)
            batch = []
    Expenditure.objects.bulk_create(batch)


def copy_rows(rows) -> None:
    """COPY expenditure tuples (in COLUMNS order) into PostgreSQL, in chunks."""
    table = Expenditure._meta.db_table
    sql = f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN WITH (FORMAT text)"
    buffer, pending = io.StringIO(), 0

    def flush() -> None:
        nonlocal buffer, pending
        buffer.seek(0)
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(sql, buffer)
        buffer, pending = io.StringIO(), 0

    for row in rows:
        buffer.write("\t".join(r"\N" if v is None else _text(v) for v in row))
        buffer.write("\n")
        pending += 1
        if pending == COPY_CHUNK:
            flush()
    if pending:
        flush()


def _text(value) -> str:
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return text.replace("\\", "\\\\").replace("\t", " ").replace("\n", " ")
