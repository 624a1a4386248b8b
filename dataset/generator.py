"""A synthetic national data set for benchmarks: every municipality with schools, boards,
plans, needs rounds, allocations, payments and expenditures at the size of the Netherlands.

Municipalities that merged during the programme are part of it on their real dates: each
one's data lies within its existence, and the mergers run through the portal's own service
at the end. Schools and boards come from DUO-shaped files, loaded by the import service.

Built with bulk inserts and, on PostgreSQL, COPY for the expenditures. Generated rows get no
history records (they are not edits by anyone); the `version` fields keep their defaults.
"""

import datetime
import random
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction

from accounts.models import Municipality, Role, SchoolBoard, User
from dataset.duo import import_duo_files, write_duo_files
from dataset.expenditures import write_expenditures
from dataset.portal import (
    run_mergers,
    write_allocations_and_payments,
    write_needs,
    write_plans,
)
from dataset.world import BATCH, FIRST_BOARD_NUMBER, USER_PREFIX, Context
from finance.mergers import MergerResult
from finance.models import Expenditure, Payment, SpendingSummary
from finance.selectors import finance_programme
from finance.summary import rebuild_spending_summary
from plans.models import (
    Allocation,
    Intervention,
    InterventionBudget,
    Plan,
)
from schools.models import (
    DelayAssessment,
    NeedsAnswer,
    NeedsRound,
    School,
)

PORTAL_DATA = (Plan, School, Expenditure, Payment, NeedsRound, Allocation)


class PortalDataExists(Exception):
    """The database already holds portal data; generating on top of it would mix the two."""


@dataclass
class Result:
    counts: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    mergers: list[MergerResult] = field(default_factory=list)


def has_portal_data() -> bool:
    """Whether any plan, school, expenditure, payment, needs round or allocation exists."""
    return any(model.objects.exists() for model in PORTAL_DATA)


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
        ctx = Context(rng=rng, programme=programme, municipalities=_chosen(municipalities, codes))
        _users(ctx)
        t = step("users", t)
        folder = Path(duo_dir) if duo_dir else Path(scratch)
        files = write_duo_files(ctx, schools, folder)
        t = step("DUO files written", t)
        import_duo_files(ctx, files)
        t = step("DUO files imported (boards and schools)", t)
        write_allocations_and_payments(ctx)
        t = step("allocations and payments", t)
        write_plans(ctx)
        t = step("plans, interventions and budgets", t)
        write_needs(ctx)
        t = step("needs rounds and answers", t)
        write_expenditures(ctx, expenditures)
        t = step("expenditures", t)
        # Loaded around the services, so the summary the totals read is built here.
        rebuild_spending_summary()
        t = step("spending summary", t)
        result.mergers = run_mergers(ctx)
        t = step("mergers", t)
    if connection.vendor == "postgresql":
        # Like a database autovacuum keeps (it may be off, as on the bench hosts): without the
        # visibility map no index-only scan is chosen and every read visits the table.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)")
        step("vacuum and analyze", t)
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


def _users(ctx: Context) -> None:
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
