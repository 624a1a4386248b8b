"""Who may do what with a municipality's money. One function per action; every view that does
the action asks it. Anything not granted here is refused (fail closed)."""

from accounts.models import Municipality, User
from auditing.permissions import auditor_may_read
from settlement.closed import is_closed


def _own_municipality(user: User, municipality: Municipality) -> bool:
    return (
        user.is_authenticated
        and user.is_active
        and user.municipality_id is not None
        and user.municipality_id == municipality.pk
    )


def can_view_finances(user: User, municipality: Municipality) -> bool:
    """Dashboard, expenditure list and payments: the municipality's finance and policy
    officers (policy officers steer the plan on the money actually spent) and the functional
    administrator. School boards never see the municipality's money."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_functional_admin:
        return True
    if user.is_auditor:
        return auditor_may_read(user, municipality)
    # After a merger the successor's officers read the predecessors' books too.
    return municipality.is_held_by(user.municipality_id) and (
        user.is_finance_officer or user.is_policy_officer
    )


def can_record_finances(user: User, municipality: Municipality) -> bool:
    """Expenditures, payments and imports are recorded by the municipality's own finance
    officers only; the functional administrator reads but does not book. Nobody books in a
    closed programme (issue 30)."""
    return (
        _own_municipality(user, municipality)
        and user.is_finance_officer
        and not is_closed(municipality)
    )


def can_abandon_import(user: User, municipality: Municipality) -> bool:
    """Aborting a stuck expenditure import is for those who upload: the municipality's own
    finance officers."""
    return can_record_finances(user, municipality)


def can_import_allocations(user: User) -> bool:
    """The allocations of every municipality are set by the functional administrator alone,
    from the grant decision's file."""
    return user.is_authenticated and user.is_active and user.is_functional_admin


def can_list_allocations(user: User) -> bool:
    """Every municipality's allocation and money, side by side: the functional
    administrator's way into finance."""
    return user.is_authenticated and user.is_active and user.is_functional_admin
