"""Who may do what with a municipality's settlement and the closing of its programme. One
function per action; the page, the form, the letter's download and the services ask them.
Fail closed."""

from accounts.models import Municipality, User
from finance.permissions import can_view_finances
from settlement.closed import is_closed


def _active(user: User) -> bool:
    return user.is_authenticated and user.is_active


def holds_own_grant(municipality: Municipality) -> bool:
    """A municipality that merged into another has no settlement of its own: its successor
    holds the grant and gets the decision."""
    return municipality.successor_id is None


def can_view_settlement(user: User, municipality: Municipality) -> bool:
    """The final position, the decision, its letter, the repayment and the closing: whoever
    reads the municipality's finances (its finance and policy officers, the functional
    administrator; an auditor within their access)."""
    return can_view_finances(user, municipality)


def can_record_settlement(user: User, municipality: Municipality) -> bool:
    """The decision and the repayment are recorded by the municipality's own finance
    officers, while the programme is open."""
    return (
        _active(user)
        and user.is_finance_officer
        and user.municipality_id == municipality.pk
        and holds_own_grant(municipality)
        and not is_closed(municipality)
    )


def can_close_programme(user: User, municipality: Municipality) -> bool:
    """Closing is the functional administrator's (the service checks that the settlement is
    recorded and paid)."""
    return (
        _active(user)
        and user.is_functional_admin
        and holds_own_grant(municipality)
        and not is_closed(municipality)
    )


def can_reopen_programme(user: User, municipality: Municipality) -> bool:
    """Only the functional administrator reopens a closed programme, with a reason."""
    return _active(user) and user.is_functional_admin and is_closed(municipality)
