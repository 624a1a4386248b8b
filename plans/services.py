"""Changing plans: interventions with their budgets, the workflow, versions and revisions."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Municipality, SchoolBoard, User
from npo_portal.audit import lock_current
from plans import permissions, rules, selectors
from plans.models import (
    ConsultationMoment,
    Intervention,
    InterventionBudget,
    Plan,
    PlanStatus,
    PlanTransition,
    PlanVersion,
    Programme,
    SchoolReach,
    TransitionKind,
)
from schools.models import School

# The workflow: concept → in overleg → vastgesteld door college → in uitvoering → afgesloten.
# A plan in consultation may go back to concept; a revision (start_revision) is separate.
NEXT_STATUSES: dict[str, tuple[str, ...]] = {
    PlanStatus.CONCEPT: (PlanStatus.CONSULTATION,),
    PlanStatus.CONSULTATION: (PlanStatus.CONCEPT, PlanStatus.ADOPTED),
    PlanStatus.ADOPTED: (PlanStatus.IN_PROGRESS,),
    PlanStatus.IN_PROGRESS: (PlanStatus.CLOSED,),
    PlanStatus.CLOSED: (),
}


def current_programme() -> Programme:
    """The programme new plans belong to (there is one: NP Onderwijs for municipalities)."""
    return Programme.objects.order_by("-start").first()


@transaction.atomic
def create_plan(*, municipality: Municipality, title: str, user: User) -> Plan:
    """Start the municipality's plan as a concept."""
    if not permissions.can_create_plan(user, municipality):
        raise PermissionDenied
    programme = current_programme()
    if Plan.objects.filter(municipality=municipality, programme=programme).exists():
        raise ValidationError(_("This municipality already has a plan."))
    return Plan.objects.create(municipality=municipality, programme=programme, title=title)


@transaction.atomic
def update_plan_texts(
    *, plan: Plan, title: str, context: str, aims: str, user: User, version: int | None = None
) -> Plan:
    """Change the plan's title, context and needs analysis, and aims; refused when someone
    saved the plan after `version` was loaded."""
    if not permissions.can_edit_plan(user, plan):
        raise PermissionDenied
    plan.title, plan.context, plan.aims = title, context, aims
    current = lock_current(plan, version=version)
    plan.version = current.version + 1
    plan.save(update_fields=["title", "context", "aims", "version", "updated_at"])
    return plan


def intervention_problems(
    *, intervention: Intervention, budgets: dict[int, Decimal | None]
) -> list[str]:
    """Every eligibility rule an intervention with these budgets breaks (empty: eligible)."""
    programme = intervention.plan.programme
    return (
        rules.period_problems(programme=programme, start=intervention.start, end=intervention.end)
        + rules.target_group_problems(target_groups=intervention.target_groups)
        + rules.budget_year_problems(
            programme=programme, years=[y for y, amount in budgets.items() if amount]
        )
        + rules.menu_item_problems(
            menu_item=intervention.menu_item, start=intervention.start, end=intervention.end
        )
    )


@transaction.atomic
def save_intervention(
    *,
    intervention: Intervention,
    budgets: dict[int, Decimal | None],
    schools: Iterable[School],
    school_boards: Iterable[SchoolBoard],
    user: User,
    version: int | None = None,
) -> Intervention:
    """Save an eligible intervention with its reach and its budget per year, all or nothing.

    A year left empty (or zero) has no budget row. Editing is refused when someone saved the
    intervention after `version` was loaded.
    """
    plan = intervention.plan
    if not permissions.can_edit_plan(user, plan):
        raise PermissionDenied
    problems = intervention_problems(intervention=intervention, budgets=budgets)
    if problems:
        raise ValidationError(problems)
    schools, school_boards = list(schools), list(school_boards)
    if any(school.municipality_id != plan.municipality_id for school in schools):
        raise ValidationError(_("Only schools located in the municipality can be reached."))
    reached = set(intervention.schools.values_list("pk", flat=True)) if intervention.pk else set()
    for school in schools:
        if school.closed_on is not None and school.pk not in reached:
            raise ValidationError(
                _("%(school)s closed on %(date)s and cannot be added to an intervention.")
                % {"school": school, "date": school.closed_on.strftime("%d-%m-%Y")}
            )
    if intervention.pk:
        intervention.version = lock_current(intervention, version=version).version + 1
    intervention.save()
    intervention.schools.set(schools)
    intervention.school_boards.set(school_boards)
    keep = {year: amount for year, amount in budgets.items() if amount}
    intervention.budgets.exclude(year__in=keep).delete()
    for year, amount in keep.items():
        InterventionBudget.objects.update_or_create(
            intervention=intervention, year=year, defaults={"amount": amount}
        )
    return intervention


def set_intervention_status(*, intervention: Intervention, status: str, user: User) -> Intervention:
    """Record how far an intervention of an adopted plan has got (planned, running, finished,
    stopped) without reopening the plan itself."""
    if not permissions.can_update_progress(user, intervention.plan):
        raise PermissionDenied
    with transaction.atomic():
        intervention.status = status
        intervention.version = lock_current(intervention, version=None).version + 1
        intervention.save(update_fields=["status", "version"])
    return intervention


def record_school_reach(
    *, intervention: Intervention, reach: dict[int, tuple[int | None, int | None]], user: User
) -> None:
    """Record per school of the intervention (school id: (planned, reported) children) how
    many it plans to reach and has reached; a school with neither keeps no row. The planned
    reach is part of the plan and changes only while the plan may be edited; all or nothing."""
    plan = intervention.plan
    if not permissions.can_record_reach(user, plan):
        raise PermissionDenied
    may_plan = permissions.can_edit_plan(user, plan)
    with transaction.atomic():
        # One writer per intervention at a time, so two saves cannot interleave their rows.
        Intervention.objects.select_for_update().filter(pk=intervention.pk).first()
        schools = set(intervention.schools.values_list("pk", flat=True))
        if set(reach) - schools:
            raise ValidationError(_("Reach can only be recorded for the intervention's schools."))
        stored = {r.school_id: r for r in SchoolReach.objects.filter(intervention=intervention)}
        for school_id, (planned, reported) in reach.items():
            row = stored.get(school_id)
            if not may_plan:
                planned = row.planned if row else None
            if planned is None and reported is None:
                if row is not None:
                    row.delete()
                continue
            SchoolReach.objects.update_or_create(
                intervention=intervention,
                school_id=school_id,
                defaults={"planned": planned, "reported": reported},
            )


def delete_intervention(*, intervention: Intervention, user: User) -> None:
    """Remove an intervention and its budgets from a plan that is not adopted; refused while
    expenditures are charged to it (they would lose what they were spent on)."""
    if not permissions.can_edit_plan(user, intervention.plan):
        raise PermissionDenied
    try:
        with transaction.atomic():
            intervention.delete()
    except ProtectedError as error:
        raise ValidationError(
            _(
                "Intervention %(code)s cannot be deleted: %(count)s expenditure(s) are charged "
                "to it. Charge them to another intervention first, or set its status instead."
            )
            % {"code": intervention.code, "count": len(error.protected_objects)}
        ) from error


@transaction.atomic
def transition_plan(
    *,
    plan: Plan,
    to_status: str,
    user: User,
    decided_on: datetime.date | None = None,
    decision_reference: str = "",
    note: str = "",
) -> PlanTransition:
    """Move the plan one step along its workflow and record who did it and when.

    Adoption by the college needs its decision date and reference, and stores the plan as
    adopted in a new version.
    """
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if not permissions.can_move_plan(user, plan):
        raise PermissionDenied
    if to_status not in NEXT_STATUSES.get(plan.status, ()):
        raise ValidationError(
            _("A plan with status “%(from)s” cannot move to “%(to)s”.")
            % {"from": PlanStatus(plan.status).label, "to": PlanStatus(to_status).label}
        )
    if to_status == PlanStatus.ADOPTED:
        if decided_on is None or not decision_reference.strip():
            raise ValidationError(
                _("Adoption by the college needs the date and the reference of the decision.")
            )
        if decided_on > timezone.localdate():
            raise ValidationError(_("The decision date cannot lie in the future."))
    step = PlanTransition.objects.create(
        plan=plan,
        kind=TransitionKind.STATUS,
        from_status=plan.status,
        to_status=to_status,
        by=user,
        decided_on=decided_on if to_status == PlanStatus.ADOPTED else None,
        decision_reference=decision_reference.strip() if to_status == PlanStatus.ADOPTED else "",
        note=note,
    )
    plan.status = to_status
    plan.version += 1
    plan.save(update_fields=["version", "status", "updated_at"])
    if to_status == PlanStatus.ADOPTED:
        number = (plan.versions.order_by("-number").values_list("number", flat=True).first()) or 0
        PlanVersion.objects.create(
            plan=plan,
            number=number + 1,
            adopted_on=decided_on,
            decision_reference=decision_reference.strip(),
            snapshot=selectors.plan_snapshot(plan=plan),
            created_by=user,
        )
    return step


@transaction.atomic
def start_revision(*, plan: Plan, user: User, note: str = "") -> PlanTransition:
    """Put an adopted plan back to concept to draft a revision; adopted versions stay as they are."""
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if not permissions.can_start_revision(user, plan):
        raise PermissionDenied
    step = PlanTransition.objects.create(
        plan=plan,
        kind=TransitionKind.REVISION,
        from_status=plan.status,
        to_status=PlanStatus.CONCEPT,
        by=user,
        note=note,
    )
    plan.status = PlanStatus.CONCEPT
    plan.version += 1
    plan.save(update_fields=["version", "status", "updated_at"])
    return step


@transaction.atomic
def record_council_informed(
    *, plan: Plan, informed_on: datetime.date, reference: str, user: User
) -> PlanTransition:
    """Record that the council was informed of the plan by a raadsinformatiebrief (RIB)."""
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if not permissions.can_record_council_informed(user, plan):
        raise PermissionDenied
    if not reference.strip():
        raise ValidationError(_("Give the reference of the council information letter (RIB)."))
    plan.council_informed_on, plan.council_reference = informed_on, reference.strip()
    plan.version += 1
    plan.save(update_fields=["version", "council_informed_on", "council_reference", "updated_at"])
    return PlanTransition.objects.create(
        plan=plan,
        kind=TransitionKind.COUNCIL_INFORMED,
        from_status=plan.status,
        to_status=plan.status,
        by=user,
        decided_on=informed_on,
        decision_reference=plan.council_reference,
    )


def save_consultation(*, consultation: ConsultationMoment, user: User) -> ConsultationMoment:
    """Log (or correct) a consultation moment on a plan that is not closed."""
    if not permissions.can_manage_consultations(user, consultation.plan):
        raise PermissionDenied
    consultation.save()
    return consultation


def delete_consultation(*, consultation: ConsultationMoment, user: User) -> None:
    """Remove a consultation moment logged by mistake."""
    if not permissions.can_manage_consultations(user, consultation.plan):
        raise PermissionDenied
    consultation.delete()
