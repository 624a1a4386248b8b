"""Who may do what with schools, rounds and answers: one function per action.

Views and services both call these; every function fails closed (False unless the user's
role and organisation match). Rows outside a user's scope never reach them: views fetch
through `for_user` first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from accounts.permissions import works_for_an_organisation
from settlement.closed import is_closed, is_closed_id

if TYPE_CHECKING:
    from accounts.models import Municipality, User
    from schools.models import NeedsAnswer, NeedsRound, School


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def can_list_rounds(user: User) -> bool:
    """The needs rounds of the user's own municipality, or those a board answers."""
    return works_for_an_organisation(user)


def can_list_schools(user: User) -> bool:
    """The school locations of the user's own municipality or board."""
    return works_for_an_organisation(user)


def can_import_schools(user: User) -> bool:
    """Only the functional administrator maintains the school registry."""
    return _active(user) and user.is_functional_admin


def can_manage_rounds(user: User, municipality: Municipality) -> bool:
    """A policy officer opens, edits and closes the rounds of their own municipality, until
    its programme is closed (issue 30)."""
    return (
        _active(user)
        and user.is_policy_officer
        and user.municipality_id == municipality.pk
        and not is_closed(municipality)
    )


def can_view_picture(user: User, needs_round: NeedsRound) -> bool:
    """The municipal picture (and its exports) is for the municipality's own officers."""
    if not _active(user):
        return False
    if user.is_functional_admin:
        return True
    return (user.is_policy_officer or user.is_finance_officer) and (
        user.municipality_id == needs_round.municipality_id
        or needs_round.municipality.is_held_by(user.municipality_id)
    )


def can_send_reminders(user: User, needs_round: NeedsRound) -> bool:
    """The round's policy officer chases the schools that have not reported."""
    return can_manage_rounds(user, needs_round.municipality)


def can_fill_answer(user: User, school: School) -> bool:
    """A board user reports for the schools of their own board, until the programme of the
    school's municipality is closed (issue 30)."""
    return (
        _active(user)
        and user.is_school_board_user
        and user.school_board_id is not None
        and user.school_board_id == school.board_id
        and not is_closed_id(school.municipality_id)
    )


def can_view_answer(user: User, answer: NeedsAnswer) -> bool:
    """The board that gave the answer and the round's municipality may read it."""
    if not _active(user):
        return False
    if user.is_functional_admin:
        return True
    if user.is_school_board_user:
        return user.school_board_id == answer.board_id
    return user.municipality_id == answer.round.municipality_id or (
        answer.round.municipality.is_held_by(user.municipality_id)
    )


def can_request_reopen(user: User, answer: NeedsAnswer) -> bool:
    """The board asks the municipality to reopen its submitted answer."""
    return (
        _active(user)
        and user.is_school_board_user
        and user.school_board_id == answer.board_id
        and answer.is_submitted
        and not is_closed_id(answer.round.municipality_id)
    )


def can_reopen(user: User, answer: NeedsAnswer) -> bool:
    """The round's policy officer puts a submitted answer back into draft."""
    return can_manage_rounds(user, answer.round.municipality) and answer.is_submitted
