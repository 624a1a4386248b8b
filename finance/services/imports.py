"""The file import of expenditures: every row or none, already recorded rows skipped."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import Municipality, User
from finance.models import (
    Expenditure,
)
from finance.selectors import finance_programme
from finance.services.rows import (
    BATCH_SIZE,
    EXPENDITURE_COLUMNS,
    ImportRejected,
    lookups_for,
    parse_expenditure,
    read_or_reject,
    row_message,
)
from finance.services.writing import write_expenditures
from npo_portal import tables
from settlement.closed import refuse_if_closed

logger = logging.getLogger(__name__)


@dataclass
class ExpenditureImportResult:
    created: int = 0
    outside_period: int = 0
    duplicates: list[str] = field(default_factory=list)


def _existing_keys(municipality: Municipality, keys: Iterable[str]) -> set[str]:
    return set(
        Expenditure.objects.filter(
            municipality=municipality, duplicate_key__in=list(keys)
        ).values_list("duplicate_key", flat=True)
    )


def import_expenditures(
    *, municipality: Municipality, data: tables.Source, user: User | None
) -> ExpenditureImportResult:
    """Import expenditures from a CSV or XLSX file (its bytes or its path): every row or none. Rows already recorded
    (same duplicate key) are skipped and reported, so a re-import doubles nothing."""
    refuse_if_closed(municipality)
    try:
        return _import_expenditures(municipality=municipality, data=data, user=user)
    except IntegrityError:
        # Another import saved some of the same rows between our check and our insert, and
        # ours was rolled back whole. Once more: now those rows read as already recorded.
        logger.warning("Expenditure import for %s raced another; trying again", municipality)
    try:
        return _import_expenditures(municipality=municipality, data=data, user=user)
    except IntegrityError as error:
        raise ImportRejected(
            [_("Another import of the same rows is running; nothing imported. Try again.")]
        ) from error


@transaction.atomic
def _import_expenditures(
    *, municipality: Municipality, data: tables.Source, user: User | None
) -> ExpenditureImportResult:
    programme = finance_programme()
    lookups = lookups_for(municipality, programme)
    result = ExpenditureImportResult()
    errors: list[str] = []
    error_count = 0
    first_row_of: dict[str, int] = {}
    pending: dict[str, int] = {}
    skip: set[str] = set()
    duplicate_rows: list[tuple[int, str]] = []

    def flush_pending() -> None:
        existing = _existing_keys(municipality, pending)
        for key, number in pending.items():
            if key in existing:
                duplicate_rows.append(
                    (
                        number,
                        _("Row %(row)s: already recorded, not imported again.") % {"row": number},
                    )
                )
                skip.add(key)
        pending.clear()

    # First pass: validate every row and find duplicates, keeping only the keys in memory.
    for number, row in read_or_reject(data, EXPENDITURE_COLUMNS):
        values, problems = parse_expenditure(row, lookups)
        if problems:
            error_count += 1
            if len(errors) < settings.IMPORT_MAX_REPORTED_ERRORS:
                errors.append(row_message(number, problems))
            continue
        key = values["duplicate_key"]
        if key in first_row_of:
            duplicate_rows.append(
                (
                    number,
                    _("Row %(row)s: the same expenditure as row %(first)s, imported once.")
                    % {"row": number, "first": first_row_of[key]},
                )
            )
            continue
        first_row_of[key] = number
        pending[key] = number
        if len(pending) >= BATCH_SIZE:
            flush_pending()
    flush_pending()
    result.duplicates = [message for _number, message in sorted(duplicate_rows)]
    if error_count:
        if error_count > len(errors):
            errors.append(
                _("… and %(count)s more rows with errors.") % {"count": error_count - len(errors)}
            )
        raise ImportRejected(errors, total=error_count)
    if not first_row_of:
        if result.duplicates:
            return result
        raise ImportRejected([_("The file has no rows below its header.")])

    # Second pass: the file is valid; write in batches so memory stays flat.
    def new_rows() -> Iterator[dict]:
        for _number, row in tables.read_table(data, columns=EXPENDITURE_COLUMNS):
            values, _problems = parse_expenditure(row, lookups)
            key = values["duplicate_key"]
            if key in skip or first_row_of.pop(key, None) is None:
                continue
            if not programme.covers(values["date"]):
                result.outside_period += 1
            yield values

    result.created = write_expenditures(
        new_rows(), municipality=municipality, programme=programme, user=user
    ).count
    return result
