"""Who may manage a municipality's API tokens, and what a token may do. One function per
action; fail closed."""

from __future__ import annotations

from accounts.models import Municipality, User
from api.models import ApiToken, Scope
from settlement.closed import is_closed_id


def can_manage_tokens(user: User, municipality: Municipality) -> bool:
    """The municipality's own finance officers (or its key user) make and revoke its tokens."""
    return (
        user.is_authenticated
        and user.is_active
        and user.municipality_id is not None
        and user.municipality_id == municipality.pk
        and (user.is_finance_officer or user.is_key_user)
    )


def token_can_read(token: ApiToken) -> bool:
    """Expenditures, payments, totals, reports and needs pictures of its own municipality."""
    return token.is_usable and token.allows(Scope.READ)


def token_can_write_expenditures(token: ApiToken) -> bool:
    """Recording, changing and deleting its own municipality's expenditures, until its
    programme is closed (issue 30)."""
    return (
        token.is_usable
        and token.allows(Scope.WRITE_EXPENDITURES)
        and not is_closed_id(token.municipality_id)
    )
