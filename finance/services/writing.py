"""The one write path for new expenditures. The form (`create_expenditure`), the file import
(`import_expenditures`) and the API's push (`record_expenditures`) check their rows by their
own rules, then record them here: the expenditures, a "created" history record for each and
the sums they add to the spending summary, all in the caller's transaction."""

from __future__ import annotations

import csv
import datetime
import functools
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from accounts.models import Municipality, User
from finance.models import Expenditure
from finance.services.rows import BATCH_SIZE
from finance.summary import (
    SummaryChange,
    add_to_spending_summary,
    lock_for_summary,
    summary_upsert_sql,
)
from plans.models import Programme

# The fields an expenditure takes from its row, besides goal, intervention and extern_id.
WRITTEN_FIELDS = ("date", "amount", "description", "supplier", "invoice_number", "duplicate_key")
_TEMPORARY = "npo_new_expenditures"
# The columns a checked row is written with (`_values`, in this order) and their types.
_TYPES = (
    ("date", "date"),
    ("amount", "numeric(14,2)"),
    ("description", "text"),
    ("supplier", "text"),
    ("invoice_number", "text"),
    ("duplicate_key", "text"),
    ("goal_id", "bigint"),
    ("intervention_id", "bigint"),
    ("extern_id", "text"),
)
_COLUMNS = ", ".join(name for name, _kind in _TYPES)
# The rows of a short list, from one JSON parameter (an array per row), in their order.
# Arrays, not objects through json_to_recordset: a third of the CPU in Python (1.1 against
# 3.4 ms per 1,000 rows) and half in the database (2.8 against 5.2 ms).
_EXTRACTED = ", ".join(
    f"(r->>{index})::{kind} AS {name}" for index, (name, kind) in enumerate(_TYPES)
)
_GIVEN = (
    f"(SELECT {_EXTRACTED}, seq FROM jsonb_array_elements(%(rows)s::jsonb)"  # noqa: S608 - the columns above
    " WITH ORDINALITY AS given (r, seq)) AS given"
)


@dataclass
class Written:
    """What `write_expenditures` recorded: how many, and when asked each one's id by its
    duplicate key (unique within the municipality, so within one write)."""

    count: int = 0
    ids: dict[str, int] = field(default_factory=dict)
    created_at: datetime.datetime | None = None


# No savepoint of its own when nested: each caller's own transaction or savepoint rolls all
# back on an error (two statements less per API request).
@transaction.atomic(savepoint=False)
def write_expenditures(
    rows: Iterable[dict],
    *,
    municipality: Municipality,
    programme: Programme,
    user: User | None,
    change_reason: str | None = None,
    with_ids: bool = False,
    skip_recorded: bool = False,
) -> Written:
    """Record checked rows (the fields `rows.parse_expenditure` gives, and an optional
    `extern_id`) as new expenditures of `municipality`, recorded by `user`, each with its
    "created" history record (`user` as its user, `change_reason` as its reason) and their
    sums added to the spending summary. `rows` may be a generator: it is read once, in
    batches, so memory stays flat.

    A row already recorded (its duplicate key or `extern_id`) raises IntegrityError, which
    rolls back everything written here; callers skip those rows first. With `skip_recorded`,
    on PostgreSQL, the write skips them itself: they get no id, history or sum (elsewhere
    they still raise)."""
    lock_for_summary([municipality.pk])
    if connection.vendor == "postgresql":
        return _copy(
            rows,
            municipality=municipality,
            programme=programme,
            user=user,
            change_reason=change_reason,
            with_ids=with_ids,
            skip_recorded=skip_recorded,
        )
    return _bulk_create(
        rows,
        municipality=municipality,
        programme=programme,
        user=user,
        change_reason=change_reason,
        with_ids=with_ids,
    )


def _copy(
    rows: Iterable[dict],
    *,
    municipality: Municipality,
    programme: Programme,
    user: User | None,
    change_reason: str | None,
    with_ids: bool,
    skip_recorded: bool,
) -> Written:
    """PostgreSQL: one INSERT … SELECT that inserts the expenditures and, from what it
    returns, their history and their sums by summary group (`finance.summary.summary_upsert_sql`).

    What `bulk_create_with_history` writes, without building two model instances and
    preparing 25 values per row in Python (three quarters of the import's time at 100,000
    rows). The constraints, foreign keys and statement triggers of the tables apply as to
    any INSERT; a duplicate key still raises IntegrityError.

    The rows come from a temporary table filled by COPY per batch of BATCH_SIZE (a file's
    rows, read once as a generator), or, when they are a list of at most BATCH_SIZE (the
    form, an API request), from one JSON parameter: creating and dropping the temporary
    table cost the database 2.3 ms of CPU per API request (bench/README.md, issue 32)."""
    now = timezone.now()
    written = Written(created_at=now)
    params = {
        "now": now,
        "municipality": municipality.pk,
        "programme": programme.pk,
        "user": user.pk if user else None,
        "reason": change_reason,
    }
    with connection.cursor() as cursor:
        if isinstance(rows, list | tuple) and len(rows) <= BATCH_SIZE:
            params["rows"] = json.dumps([_values(values) for values in rows])
            written.count = len(rows)
            source = _GIVEN
        else:
            written.count = _copy_to_temporary(cursor, rows)
            source = _TEMPORARY
        cursor.execute(_insert_sql(source, with_ids=with_ids, skip_recorded=skip_recorded), params)
        if with_ids:
            written.ids = dict(cursor.fetchall())
        if source == _TEMPORARY:
            cursor.execute(f"DROP TABLE {_TEMPORARY}")
    return written


def _values(values: dict) -> tuple:
    """A checked row's values in the order of _COLUMNS; None is NULL (no intervention, no
    extern_id)."""
    intervention = values["intervention"]
    return (
        values["date"].isoformat(),
        str(values["amount"]),
        values["description"],
        values["supplier"],
        values["invoice_number"],
        values["duplicate_key"],
        values["goal"].pk,
        intervention.pk if intervention else None,
        values.get("extern_id") or None,
    )


def _copy_to_temporary(cursor, rows: Iterable[dict]) -> int:
    """COPY the rows into the temporary table, per batch of BATCH_SIZE; how many."""
    cursor.execute(
        f"CREATE TEMPORARY TABLE {_TEMPORARY} (seq serial,"
        f" {', '.join(f'{name} {kind}' for name, kind in _TYPES)}) ON COMMIT DROP"
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    count = 0

    def flush() -> None:
        buffer.seek(0)
        # The raw psycopg2 cursor: Django's wrapper has no copy_expert.
        # An empty field is NULL (no intervention, no extern_id), except in the texts.
        cursor.cursor.copy_expert(
            f"COPY {_TEMPORARY} ({_COLUMNS}) FROM STDIN WITH (FORMAT csv, FORCE_NOT_NULL"
            " (description, supplier, invoice_number, duplicate_key))",
            buffer,
        )
        buffer.seek(0)
        buffer.truncate()

    for values in rows:
        writer.writerow(_values(values))  # None as an empty field
        count += 1
        if count % BATCH_SIZE == 0:
            flush()
    flush()
    return count


@functools.cache
def _insert_sql(source: str, *, with_ids: bool, skip_recorded: bool = False) -> str:
    """The INSERT of the expenditures from `source` (a table or FROM item with _COLUMNS and
    seq), with their history records and summary groups, in one statement (made once: its
    text depends on the models only). `skip_recorded`: a row that meets a unique key (its
    duplicate key or extern_id already recorded; the id is a sequence's) is left out of all
    three. The insert looks into those indexes for every row anyway; a search of its own
    (`NOT EXISTS`) was planned, with the statistics of a municipality that had few rows, as
    a scan of all of them per row."""
    expenditure = Expenditure._meta.db_table
    history = Expenditure.history.model._meta.db_table
    copied = ", ".join(WRITTEN_FIELDS)
    shared = "created_at, goal_id, intervention_id, municipality_id, programme_id"
    inserted = (
        f"WITH created AS (INSERT INTO {expenditure} ({copied}, {shared}, recorded_by_id,"  # noqa: S608 - table names from the models
        f" version, extern_id) SELECT {copied}, %(now)s, goal_id, intervention_id,"
        f" %(municipality)s, %(programme)s, %(user)s, 1, extern_id FROM {source}"
        f" ORDER BY seq{' ON CONFLICT DO NOTHING' if skip_recorded else ''} RETURNING *),"
        f" history AS (INSERT INTO {history} (id, {copied},"
        f" {shared}, recorded_by_id, version, extern_id, history_date,"
        f" history_change_reason, history_type, history_user_id) SELECT id, {copied},"
        f" {shared}, recorded_by_id, version, extern_id, %(now)s, %(reason)s, '+', %(user)s"
        f" FROM created), summary AS ({summary_upsert_sql('created')})"
    )
    returned = " SELECT duplicate_key, id FROM created" if with_ids else " SELECT 1 LIMIT 0"
    return inserted + returned


def _bulk_create(
    rows: Iterable[dict],
    *,
    municipality: Municipality,
    programme: Programme,
    user: User | None,
    change_reason: str | None,
    with_ids: bool,
) -> Written:
    """Other databases: the ORM's bulk insert with django-simple-history's, per batch, and
    the rows' sums added to the summary."""
    written = Written()
    batch: list[Expenditure] = []

    def flush() -> None:
        bulk_create_with_history(
            batch, Expenditure, default_user=user, default_change_reason=change_reason
        )
        written.count += len(batch)
        written.created_at = batch[0].created_at
        if with_ids:
            written.ids.update((e.duplicate_key, e.pk) for e in batch)
        add_to_spending_summary(SummaryChange.adding(e) for e in batch)
        batch.clear()

    for values in rows:
        batch.append(
            Expenditure(
                programme=programme,
                municipality=municipality,
                recorded_by=user,
                **{"extern_id": None, **values},
            )
        )
        if len(batch) >= BATCH_SIZE:
            flush()
    if batch:
        flush()
    return written
