"""Who may do what with a plan: one function per action, used by every view of that action.

Only a policy officer of the plan's own municipality changes a plan. A finance officer of
that municipality and the functional administrator may read it; school-board users see
nothing of plans. Every function fails closed.
"""

from __future__ import annotations

from accounts.models import Municipality, User
from auditing.permissions import auditor_may_read
from plans.models import Plan, PlanStatus
from settlement.closed import is_closed_id

EDITABLE = {PlanStatus.CONCEPT, PlanStatus.CONSULTATION}
REVISABLE = {PlanStatus.ADOPTED, PlanStatus.IN_PROGRESS}


def _is_own_policy_officer(user: User, municipality_id: int | None) -> bool:
    """Every change to a plan goes through here: refused once the municipality's programme
    is closed (issue 30)."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.is_policy_officer
        and user.municipality_id is not None
        and user.municipality_id == municipality_id
        and not is_closed_id(municipality_id)
    )


def can_view_plan(user: User, plan: Plan) -> bool:
    """Read the plan, its versions, the printable view and the PDF."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_functional_admin:
        return True
    # After a merger the successor's officers read the predecessors' plans too.
    return (user.is_policy_officer or user.is_finance_officer) and (
        user.municipality_id == plan.municipality_id
        or plan.municipality.is_held_by(user.municipality_id)
    )


def can_open_plan_home(user: User) -> bool:
    """/plan/: the functional administrator's list of plans, or an officer's own plan (or
    the form to start it)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_functional_admin:
        return True
    return (user.is_policy_officer or user.is_finance_officer) and user.municipality_id is not None


def can_view_plan_history(user: User, plan: Plan) -> bool:
    """The plan's audit trail: whoever reads the plan, and an auditor within their access."""
    if getattr(user, "is_auditor", False):
        return auditor_may_read(user, plan.municipality)
    return can_view_plan(user, plan)


def can_create_plan(user: User, municipality: Municipality | None) -> bool:
    """Start the municipality's plan."""
    return municipality is not None and _is_own_policy_officer(user, municipality.pk)


def can_edit_plan(user: User, plan: Plan) -> bool:
    """Change the plan's texts and its interventions: only while it is not adopted."""
    return _is_own_policy_officer(user, plan.municipality_id) and plan.status in EDITABLE


def can_update_progress(user: User, plan: Plan) -> bool:
    """Report an intervention's progress (its status) while the adopted plan is carried out."""
    return _is_own_policy_officer(user, plan.municipality_id) and plan.status in REVISABLE


def can_move_plan(user: User, plan: Plan) -> bool:
    """Move the plan along its workflow (the service checks which step is allowed)."""
    return _is_own_policy_officer(user, plan.municipality_id)


def can_start_revision(user: User, plan: Plan) -> bool:
    """Put an adopted plan back to concept for a new revision; its adopted version stays."""
    return _is_own_policy_officer(user, plan.municipality_id) and plan.status in REVISABLE


def can_record_council_informed(user: User, plan: Plan) -> bool:
    """Record that the council was informed (raadsinformatiebrief)."""
    return _is_own_policy_officer(user, plan.municipality_id)


def can_manage_consultations(user: User, plan: Plan) -> bool:
    """Add, change or remove consultation moments, until the plan is closed."""
    return _is_own_policy_officer(user, plan.municipality_id) and plan.status != PlanStatus.CLOSED


def can_record_reach(user: User, plan: Plan) -> bool:
    """Record an intervention's reach per school, until the plan is closed: the planned reach
    only while the plan may be edited (see can_edit_plan), the reported reach throughout."""
    return _is_own_policy_officer(user, plan.municipality_id) and plan.status != PlanStatus.CLOSED
