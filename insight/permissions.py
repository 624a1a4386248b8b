"""Who may read the golden thread and the national monitor; both are read-only."""

from accounts.models import Municipality, User
from auditing.permissions import auditor_may_read


def _active(user) -> bool:
    return getattr(user, "is_authenticated", False) and user.is_active


def can_view_golden_thread(user: User, municipality: Municipality) -> bool:
    """The municipality's policy and finance officers and its auditor within their access
    (also for the municipalities merged into it), and the functional administrator."""
    if not _active(user):
        return False
    if user.is_functional_admin:
        return True
    if user.is_auditor:
        return auditor_may_read(user, municipality)
    if not (user.is_policy_officer or user.is_finance_officer):
        return False
    return municipality.is_held_by(user.municipality_id)


def can_view_monitor(user: User) -> bool:
    """The ministry's programme office (role monitor) and the functional administrator."""
    return _active(user) and (user.is_monitor or user.is_functional_admin)
