"""Expenditures pushed by a municipality's own system (the API's bulk call)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.models import Municipality, User
from finance.models import (
    Expenditure,
)
from finance.selectors import finance_programme
from finance.services.rows import lookups_for, parse_expenditure
from finance.services.writing import write_expenditures
from npo_portal import tables
from plans.models import Programme
from settlement.closed import refuse_if_closed


@dataclass(frozen=True)
class RowProblem:
    """What is wrong with one pushed row: its position (from 0), the column and why."""

    row: int
    column: str
    message: str


class RowsRejected(Exception):
    """Nothing was recorded; `problems` names every bad row and column."""

    def __init__(self, problems: list[RowProblem]):
        super().__init__("; ".join(f"{p.row}/{p.column}: {p.message}" for p in problems))
        self.problems = problems


@dataclass
class RecordedRow:
    """One pushed row's outcome: the expenditure's id and stored `extern_id`, recorded now
    (`created`) or found already recorded."""

    id: int
    extern_id: str | None
    created: bool
    same_as_row: int | None = None


EXTERN_ID_MAX = 100


def _check_rows(
    municipality: Municipality,
    programme: Programme,
    rows: list[dict],
    positions: list[int] | None = None,
) -> tuple[list[tuple[dict | None, str | None]], list[RowProblem]]:
    lookups = lookups_for(municipality, programme)
    problems: list[RowProblem] = []
    parsed: list[tuple[dict | None, str | None]] = []
    row_of_extern: dict[str, int] = {}
    for index, row in zip(positions or range(len(rows)), rows, strict=True):
        values, row_problems = parse_expenditure(row, lookups)
        extern_id = tables.text(row.get("extern_id") or "") or None
        if extern_id and len(extern_id) > EXTERN_ID_MAX:
            row_problems.append(
                ("extern_id", _("longer than %(limit)s characters") % {"limit": EXTERN_ID_MAX})
            )
        elif extern_id in row_of_extern:
            row_problems.append(
                (
                    "extern_id",
                    _("'%(value)s' already appears in row %(row)s")
                    % {"value": extern_id, "row": row_of_extern[extern_id]},
                )
            )
        elif extern_id:
            row_of_extern[extern_id] = index
        problems += [RowProblem(index, column, message) for column, message in row_problems]
        parsed.append((values, extern_id))
    return parsed, problems


def expenditure_row_problems(
    *, municipality: Municipality, rows: list[dict], positions: list[int] | None = None
) -> list[RowProblem]:
    """What `record_expenditures` would refuse in these rows, without recording anything.

    `positions` are the rows' places in the request when some rows were left out (the
    malformed ones), so that every problem and every "already appears in row N" names the
    row the sender knows."""
    return _check_rows(municipality, finance_programme(), rows, positions)[1]


def _recorded(
    municipality: Municipality, parsed: list[tuple[dict, str | None]]
) -> tuple[dict[str, tuple[int, str | None]], dict[str, tuple[int, str | None]]]:
    """The rows' expenditures already recorded, as (id, extern_id), by extern_id and by
    duplicate key: one query with two arrays, not two IN lists of 1,000 values each."""
    extern_ids = [extern_id for _values, extern_id in parsed if extern_id]
    keys = [values["duplicate_key"] for values, _extern_id in parsed]
    by_extern: dict[str, tuple[int, str | None]] = {}
    by_key: dict[str, tuple[int, str | None]] = {}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, duplicate_key, extern_id FROM {Expenditure._meta.db_table}"  # noqa: S608 - the model's table
                " WHERE municipality_id = %s AND (duplicate_key = ANY(%s) OR extern_id = ANY(%s))",
                [municipality.pk, keys, extern_ids],
            )
            found = cursor.fetchall()
    else:
        found = Expenditure.objects.filter(
            Q(duplicate_key__in=keys) | Q(extern_id__in=extern_ids), municipality=municipality
        ).values_list("pk", "duplicate_key", "extern_id")
    wanted_extern, wanted_keys = set(extern_ids), set(keys)
    for pk, key, extern_id in found:
        if extern_id in wanted_extern:
            by_extern[extern_id] = (pk, extern_id)
        if key in wanted_keys:
            by_key[key] = (pk, extern_id)
    return by_extern, by_key


def _recorded_as(by_extern, by_key, values: dict, extern_id: str | None):
    """The expenditure a row is already recorded as: by its extern_id first, else by its
    duplicate key; None when neither is recorded."""
    return (by_extern.get(extern_id) if extern_id else None) or by_key.get(values["duplicate_key"])


@transaction.atomic
def record_expenditures(
    *, municipality: Municipality, rows: list[dict], user: User | None, change_reason: str = ""
) -> list[RecordedRow]:
    """Record expenditures pushed by the municipality's own system, each row in the import's
    columns plus an optional `extern_id`: every row or none, by the import's rules. A row
    whose `extern_id` or duplicate key is already recorded is not recorded again, so a
    retried push changes nothing."""
    refuse_if_closed(municipality)
    programme = finance_programme()
    parsed, problems = _check_rows(municipality, programme, rows)
    if problems:
        raise RowsRejected(problems)
    keys = [values["duplicate_key"] for values, _extern_id in parsed]
    # On PostgreSQL the write itself leaves out the rows already recorded (it meets their
    # unique keys anyway) and only those are looked up after, which saved each
    # request the search before it (bench/README.md, issue 32). A request that names one
    # expenditure twice is looked up first: which of its rows is recorded, and which is
    # "the same as" it, depends on what was recorded before.
    looked_up = connection.vendor != "postgresql" or len(set(keys)) < len(keys)
    by_extern, by_key = _recorded(municipality, parsed) if looked_up else ({}, {})
    outcomes: list[RecordedRow | None] = []
    row_of_key: dict[str, int] = {}
    new: list[dict] = []
    for index, (values, extern_id) in enumerate(parsed):
        key = values["duplicate_key"]
        existing = _recorded_as(by_extern, by_key, values, extern_id)
        if existing is not None:
            outcomes.append(RecordedRow(*existing, created=False))
        elif key in row_of_key:
            outcomes.append(None)  # the same expenditure as an earlier row: recorded once
        else:
            row_of_key[key] = index
            new.append({**values, "extern_id": extern_id})
            outcomes.append(None)  # recorded below
    ids = {}
    if new:
        ids = write_expenditures(
            new,
            municipality=municipality,
            programme=programme,
            user=user,
            change_reason=change_reason,
            with_ids=True,
            skip_recorded=not looked_up,
        ).ids
    skipped = [index for key, index in row_of_key.items() if key not in ids]
    if skipped:
        _found_recorded(municipality, parsed, skipped, outcomes)
    results: list[RecordedRow] = []
    for index, ((values, extern_id), outcome) in enumerate(zip(parsed, outcomes, strict=True)):
        if outcome is None:
            key = values["duplicate_key"]
            first = row_of_key[key]
            if first == index:
                outcome = RecordedRow(ids[key], extern_id, created=True)
            else:
                outcome = RecordedRow(ids[key], parsed[first][1], created=False, same_as_row=first)
        results.append(outcome)
    return results


def _found_recorded(
    municipality: Municipality,
    parsed: list[tuple[dict, str | None]],
    skipped: list[int],
    outcomes: list[RecordedRow | None],
) -> None:
    """The outcomes of the rows the write left out as already recorded (also those an equal
    request recorded meanwhile: the write waits for its commit and leaves them out). One
    whose recorded expenditure is gone again raises IntegrityError: the caller answers
    "saved meanwhile, send it again", and the row is recorded then."""
    by_extern, by_key = _recorded(municipality, [parsed[index] for index in skipped])
    for index in skipped:
        existing = _recorded_as(by_extern, by_key, *parsed[index])
        if existing is None:
            raise IntegrityError("a skipped row's recorded expenditure is gone")
        outcomes[index] = RecordedRow(*existing, created=False)
