"""Who may do what with accountability reports. One function per action; every view that
does the action (pages, downloads, the status JSON) asks it. Fail closed."""

from accounts.models import Municipality, User
from auditing.permissions import auditor_may_read
from settlement.closed import is_closed


def _active(user: User) -> bool:
    return user.is_authenticated and user.is_active


def _own_municipality(user: User, municipality: Municipality) -> bool:
    return (
        _active(user)
        and user.municipality_id is not None
        and user.municipality_id == (municipality.pk)
    )


def can_view_reports(user: User, municipality: Municipality) -> bool:
    """The municipality's finance and policy officers, the functional administrator, and an
    auditor within their access. School boards see no reports."""
    if not _active(user):
        return False
    if user.is_functional_admin:
        return True
    if user.is_auditor:
        return auditor_may_read(user, municipality)
    # After a merger the successor's officers read the predecessors' reports too.
    return municipality.is_held_by(user.municipality_id) and (
        user.is_finance_officer or user.is_policy_officer
    )


def can_view_dossier(user: User, municipality: Municipality) -> bool:
    """The audit dossier goes with the report: whoever reads the report reads its dossier."""
    return can_view_reports(user, municipality)


def can_build_reports(user: User, municipality: Municipality) -> bool:
    """Only the municipality's finance officers start a report and mark it final, until its
    programme is closed (issue 30)."""
    return (
        _own_municipality(user, municipality)
        and user.is_finance_officer
        and not is_closed(municipality)
    )


def can_reopen_year(user: User, municipality: Municipality | None = None) -> bool:
    """Reopening a year whose report is final is the functional administrator's decision;
    not in a closed programme (reopen the programme first)."""
    return (
        _active(user)
        and user.is_functional_admin
        and not (municipality is not None and is_closed(municipality))
    )


def can_run_batches(user: User) -> bool:
    """Batches over all municipalities are started and followed by the functional
    administrator."""
    return _active(user) and user.is_functional_admin


def can_retry_batch_reports(user: User) -> bool:
    """Queuing a batch's failed reports again belongs with running the batch: the functional
    administrator's."""
    return can_run_batches(user)


def can_confirm_sisa_years(user: User) -> bool:
    """The SiSa code and indicator numbers of a year are confirmed (or overridden with a
    reason) by the functional administrator, in the admin."""
    return _active(user) and user.is_functional_admin and user.is_staff
