"""How the isolation suite (tests/test_isolation.py) points this app's views at the other
organisation's objects. Every named URL of the app belongs in one of these two."""

from collections.abc import Callable

from schools.factories import NeedsAnswerFactory, NeedsRoundFactory
from tests.world import Organisation

UNPARAMETERISED_VIEWS: set[str] = {
    "schools:round-list",
    "schools:school-list",
    "schools:round-create",
    "schools:school-import",
}


def _round(other: Organisation) -> dict:
    return {"pk": NeedsRoundFactory(municipality=other.municipality).pk}


def _answer(other: Organisation) -> dict:
    answer = NeedsAnswerFactory(
        round=NeedsRoundFactory(municipality=other.municipality),
        school=other.school,
        submitted=True,
    )
    return {"pk": answer.pk}


OTHER_ORGANISATION_KWARGS: dict[str, Callable[[Organisation], dict]] = {
    "schools:round-detail": _round,
    "schools:round-edit": _round,
    "schools:round-close": _round,
    "schools:picture": _round,
    "schools:picture-xlsx": _round,
    "schools:picture-csv": _round,
    "schools:non-reporters": _round,
    "schools:send-reminders": _round,
    "schools:answer-edit": lambda other: {
        **_round(other),
        "school_pk": other.school.pk,
    },
    "schools:answer-detail": _answer,
    "schools:answer-request-reopen": _answer,
    "schools:answer-reopen": _answer,
}
