"""Expenditures pushed by a municipality's own system (the API's bulk call)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from accounts.models import Municipality, User
from finance.models import (
    Expenditure,
)
from finance.selectors import finance_programme
from finance.services.rows import lookups_for, parse_expenditure
from finance.summary import refresh_spending_summary
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
    """One pushed row's outcome: recorded now (`created`) or found already recorded."""

    expenditure: Expenditure
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
    extern_ids = [extern_id for _values, extern_id in parsed if extern_id]

    by_extern = {
        e.extern_id: e
        for e in Expenditure.objects.filter(municipality=municipality, extern_id__in=extern_ids)
    }
    by_key = {
        e.duplicate_key: e
        for e in Expenditure.objects.filter(
            municipality=municipality,
            duplicate_key__in=[values["duplicate_key"] for values, _extern in parsed],
        )
    }
    outcomes: list[RecordedRow | None] = []
    row_of_key: dict[str, int] = {}
    new: list[Expenditure] = []
    for index, (values, extern_id) in enumerate(parsed):
        key = values["duplicate_key"]
        existing = by_extern.get(extern_id) if extern_id else None
        existing = existing or by_key.get(key)
        if existing is not None:
            outcomes.append(RecordedRow(existing, created=False))
        elif key in row_of_key:
            outcomes.append(None)  # the same expenditure as an earlier row: recorded once
        else:
            row_of_key[key] = index
            expenditure = Expenditure(
                programme=programme,
                municipality=municipality,
                recorded_by=user,
                extern_id=extern_id,
                **values,
            )
            new.append(expenditure)
            outcomes.append(RecordedRow(expenditure, created=True))
    if new:
        bulk_create_with_history(
            new, Expenditure, default_user=user, default_change_reason=change_reason
        )
        refresh_spending_summary(
            municipality_ids=[municipality.pk], months=sorted({e.date for e in new})
        )
    results: list[RecordedRow] = []
    for index, outcome in enumerate(outcomes):
        if outcome is None:
            first = row_of_key[parsed[index][0]["duplicate_key"]]
            outcome = RecordedRow(outcomes[first].expenditure, created=False, same_as_row=first)
        results.append(outcome)
    return results
