"""Who may read the lists of the portal's organisations; each function fails closed."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from accounts.models import Municipality, SchoolBoard, User


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def works_for_an_organisation(user: User) -> bool:
    """The roles whose lists hold their own organisation's rows: policy and finance officers,
    school-board users, and the functional administrator for all. The programme monitor
    belongs to no municipality (its page is the national monitor) and the auditor reads
    finance and reports only."""
    return _active(user) and (
        user.is_functional_admin
        or user.is_policy_officer
        or user.is_finance_officer
        or user.is_school_board_user
    )


def can_list_municipalities(user: User) -> bool:
    """The list of municipalities, each user's own (all for the functional administrator)."""
    return works_for_an_organisation(user)


def can_view_municipality(user: User, municipality: Municipality) -> bool:
    """A municipality's page: its own officers (also of the municipalities merged into it),
    the functional administrator, and a school board's users for the municipalities of their
    schools (the view fetches it through `for_user`). The auditor's way in is its own
    access page."""
    if not works_for_an_organisation(user):
        return False
    return (
        user.is_functional_admin
        or user.is_school_board_user
        or municipality.is_held_by(user.municipality_id)
    )


def can_view_school_board(user: User, board: SchoolBoard) -> bool:
    """A school board's page: its own users, and whoever works for an organisation and finds
    the board in their scope (the views fetch it through `for_user`)."""
    return works_for_an_organisation(user)
