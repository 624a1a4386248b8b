"""What each record group of a municipality's grant dossier holds: its tables, their rows
and their audit trail. The archive package exports them and destruction deletes them, from
this one description, so that what is archived is what is destroyed.

A municipality's dossier covers its grant: its own rows and those of the municipalities that
merged into it (their staff account for them after the merger, accounts/scoping.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.db import models

from archive.models import RecordGroup


@dataclass(frozen=True)
class Table:
    """One model's rows in a record group, found from the municipality ids of the grant."""

    name: str
    model: str  # "app_label.ModelName"
    municipality_path: str

    @property
    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)

    def rows(self, member_ids: list[int]) -> models.QuerySet:
        return (
            self.model_class._default_manager.filter(
                **{f"{self.municipality_path}__in": member_ids}
            )
            .select_related(*self.related_fields())
            .order_by("pk")
        )

    def related_fields(self) -> list[str]:
        return [
            field.name
            for field in self.model_class._meta.concrete_fields
            if field.many_to_one or field.one_to_one
        ]

    def history_rows(self, member_ids: list[int]) -> models.QuerySet | None:
        """The audit trail (django-simple-history) of the table's rows, also of rows deleted
        since, found by the same path; None for a table without history."""
        history = getattr(self.model_class, "history", None)
        if history is None:
            return None
        # simple_history keeps foreign keys (without a database constraint), so the same
        # path leads from a historical row to the municipality.
        return history.model.objects.filter(
            **{f"{self.municipality_path}__in": member_ids}
        ).order_by("history_date", "history_id")


@dataclass(frozen=True)
class GroupSpec:
    group: RecordGroup
    tables: tuple[Table, ...]
    # Where the earliest and latest dates of the group's records are read (MDTO dekkingInTijd).
    date_fields: tuple[tuple[str, str], ...] = ()
    # Files kept in storage by the group's rows: (table name, FileField names).
    file_fields: tuple[tuple[str, tuple[str, ...]], ...] = ()


GROUPS: dict[str, GroupSpec] = {
    RecordGroup.REPORTS: GroupSpec(
        RecordGroup.REPORTS,
        (
            Table("reports", "reporting.AccountabilityReport", "municipality"),
            Table("reopenings", "reporting.YearReopening", "municipality"),
        ),
        date_fields=(("reports", "created_at"),),
        file_fields=(("reports", ("pdf", "xlsx")),),
    ),
    RecordGroup.PLAN: GroupSpec(
        RecordGroup.PLAN,
        (
            Table("plans", "plans.Plan", "municipality"),
            Table("versions", "plans.PlanVersion", "plan__municipality"),
            Table("transitions", "plans.PlanTransition", "plan__municipality"),
            Table("consultations", "plans.ConsultationMoment", "plan__municipality"),
        ),
        date_fields=(("plans", "created_at"), ("versions", "adopted_on")),
    ),
    RecordGroup.NEEDS: GroupSpec(
        RecordGroup.NEEDS,
        (
            Table("rounds", "schools.NeedsRound", "municipality"),
            Table("questions", "schools.RoundQuestion", "round__municipality"),
            Table("answers", "schools.NeedsAnswer", "round__municipality"),
            Table("question_answers", "schools.QuestionAnswer", "answer__round__municipality"),
            Table("delays", "schools.DelayAssessment", "answer__round__municipality"),
            Table("requests", "schools.NeedRequest", "answer__round__municipality"),
            Table("answer_events", "schools.AnswerEvent", "answer__round__municipality"),
            Table("reminders", "schools.Reminder", "round__municipality"),
        ),
        date_fields=(("rounds", "opened_at"), ("rounds", "deadline")),
    ),
    RecordGroup.INTERVENTIONS: GroupSpec(
        RecordGroup.INTERVENTIONS,
        (
            Table("interventions", "plans.Intervention", "plan__municipality"),
            Table("school_reach", "plans.SchoolReach", "intervention__plan__municipality"),
        ),
        date_fields=(("interventions", "start"), ("interventions", "end")),
    ),
    RecordGroup.BUDGETS: GroupSpec(
        RecordGroup.BUDGETS,
        (Table("budgets", "plans.InterventionBudget", "intervention__plan__municipality"),),
    ),
    RecordGroup.EXPENDITURES: GroupSpec(
        RecordGroup.EXPENDITURES,
        (
            Table("expenditures", "finance.Expenditure", "municipality"),
            Table("imports", "finance.ExpenditureImport", "municipality"),
            Table("year_closings", "finance.YearClosing", "municipality"),
        ),
        date_fields=(("expenditures", "date"),),
        file_fields=(("imports", ("upload",)),),
    ),
    RecordGroup.PAYMENTS: GroupSpec(
        RecordGroup.PAYMENTS,
        (Table("payments", "finance.Payment", "municipality"),),
        date_fields=(("payments", "date"),),
    ),
    RecordGroup.ALLOCATIONS: GroupSpec(
        RecordGroup.ALLOCATIONS,
        (
            Table("allocations", "plans.Allocation", "municipality"),
            Table("pupil_counts", "plans.PupilCount", "municipality"),
        ),
    ),
    # Archived, never destroyed: the closing (settlement.Closure) is the programme's state and
    # rests on the decision (archive.models.RetentionRule.clean, retention.due_groups).
    RecordGroup.SETTLEMENT: GroupSpec(
        RecordGroup.SETTLEMENT,
        (
            Table("settlements", "settlement.Settlement", "municipality"),
            Table("repayments", "settlement.Repayment", "settlement__municipality"),
            Table("closures", "settlement.Closure", "municipality"),
        ),
        date_fields=(("settlements", "decided_on"),),
        file_fields=(("settlements", ("letter",)),),
    ),
}


def group_specs() -> list[GroupSpec]:
    return [GROUPS[group] for group in RecordGroup if group in GROUPS]
