"""What changes the grant's money, by subdomain: `expenditures` (one at a time), `imports` and
`import_jobs` (the file import and its upload's job), `push` (the API's bulk call), `rows`
(an expenditure row read and checked, shared by the import and the API), `rules` (what
every write obeys), `allocations` and `pupil_counts` (the allocations and their basis),
`payments` and `closing` (year closing), and `writing`, the one write path by which the
form, the import and the API record new expenditures.

Callers import the public names from here; tests that replace a module's helper patch that
module.
"""

from finance.services.allocations import (
    ALLOCATION_BASIS_COLUMNS,
    ALLOCATION_COLUMNS,
    AllocationImportResult,
    import_allocations,
)
from finance.services.closing import close_year, reopen_year
from finance.services.expenditures import (
    EDITABLE_FIELDS,
    ZERO_AMOUNT,
    create_expenditure,
    delete_expenditure,
    update_expenditure,
)
from finance.services.import_jobs import (
    abandon_import,
    delete_orphaned_uploads,
    fail_stuck_imports,
    run_expenditure_import,
    start_expenditure_import,
)
from finance.services.imports import ExpenditureImportResult, import_expenditures
from finance.services.payments import record_payment
from finance.services.push import (
    EXTERN_ID_MAX,
    RecordedRow,
    RowProblem,
    RowsRejected,
    expenditure_row_problems,
    record_expenditures,
)
from finance.services.rows import BATCH_SIZE, EXPENDITURE_COLUMNS, ImportRejected
from finance.services.rules import closed_year_message, duplicate_key, key_for

__all__ = [
    "ALLOCATION_BASIS_COLUMNS",
    "ALLOCATION_COLUMNS",
    "BATCH_SIZE",
    "EDITABLE_FIELDS",
    "EXPENDITURE_COLUMNS",
    "EXTERN_ID_MAX",
    "ZERO_AMOUNT",
    "AllocationImportResult",
    "ExpenditureImportResult",
    "ImportRejected",
    "RecordedRow",
    "RowProblem",
    "RowsRejected",
    "abandon_import",
    "close_year",
    "closed_year_message",
    "create_expenditure",
    "delete_expenditure",
    "delete_orphaned_uploads",
    "duplicate_key",
    "expenditure_row_problems",
    "fail_stuck_imports",
    "import_allocations",
    "import_expenditures",
    "key_for",
    "record_expenditures",
    "record_payment",
    "reopen_year",
    "run_expenditure_import",
    "start_expenditure_import",
    "update_expenditure",
]
