"""The expenditures of the national data set, written with COPY on PostgreSQL."""

import datetime
import io
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from dataset.world import (
    BATCH,
    COPY_CHUNK,
    FIRST_DAY,
    LAST_DAY,
    MEASURES,
    SUPPLIERS,
    Context,
    money,
    window,
)
from finance.models import Expenditure
from finance.services import duplicate_key
from plans.models import (
    SpendingGoal,
)


def _expenditure_rows(ctx: Context, count: int):
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
    windows = {m.pk: window(m, FIRST_DAY, LAST_DAY) for m in ctx.municipalities}
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
            amount = money(rng.lognormvariate(4.8, 1.2))
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


COLUMNS = [
    "programme_id", "municipality_id", "date", "amount", "goal_id", "intervention_id",
    "description", "supplier", "invoice_number", "recorded_by_id", "created_at",
    "duplicate_key", "version",
]  # fmt: skip


def write_expenditures(ctx: Context, count: int) -> None:
    """`count` expenditures over the municipalities, with COPY on PostgreSQL."""
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
