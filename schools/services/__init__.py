"""Business rules that change schools, rounds, answers and reminders, one module each:
`registry` (importing boards and school locations), `held` (locations an import could not
place, for the functional administrator), `rounds` (needs rounds and the boards'
answers) and `reminders`. Callers import from here."""

from schools.services.held import assign_held_location
from schools.services.registry import (
    DUO_BOARD_NAME_COLUMNS,
    DUO_COLUMNS,
    SCHOOL_COLUMNS,
    SO_KINDS,
    SchoolImportResult,
    import_schools,
)
from schools.services.reminders import (
    ReminderOutcome,
    queue_reminders,
    send_deadline_reminders,
    send_reminders,
)
from schools.services.rounds import (
    REQUIRED_DOMAINS,
    AnswerInput,
    close_round,
    open_round,
    reopen_answer,
    request_reopen,
    save_answer,
    submit_answer,
    update_round,
)

__all__ = [
    "DUO_BOARD_NAME_COLUMNS",
    "DUO_COLUMNS",
    "REQUIRED_DOMAINS",
    "SCHOOL_COLUMNS",
    "SO_KINDS",
    "AnswerInput",
    "ReminderOutcome",
    "SchoolImportResult",
    "assign_held_location",
    "close_round",
    "import_schools",
    "open_round",
    "queue_reminders",
    "reopen_answer",
    "request_reopen",
    "save_answer",
    "send_deadline_reminders",
    "send_reminders",
    "submit_answer",
    "update_round",
]
