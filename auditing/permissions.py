"""Who may grant an auditor access, and what an auditor may read. Fail closed."""

from accounts.models import Municipality, User
from auditing.selectors import active_grant


def can_manage_auditor_access(user: User, municipality: Municipality) -> bool:
    """The municipality's own finance officers and the functional administrator grant and
    revoke an auditor's access, and read its log."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_functional_admin:
        return True
    return user.is_finance_officer and user.municipality_id == municipality.pk


def auditor_may_read(user: User, municipality: Municipality) -> bool:
    """An auditor reads the municipality of their grant (and those merged into it), on the
    days of an access that is not revoked. Which pages, and read-only, the middleware says."""
    return (
        user.is_authenticated
        and user.is_active
        and user.is_auditor
        and municipality.is_held_by(user.municipality_id)
        and active_grant(user=user) is not None
    )
