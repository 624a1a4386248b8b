from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from npo_portal.admin import year_column
from plans.models import (
    Allocation,
    ConsultationMoment,
    Intervention,
    InterventionBudget,
    MenuArea,
    MenuItem,
    Plan,
    PlanTransition,
    PlanVersion,
    Programme,
    ProgrammeAmendment,
    PupilCount,
    SchoolReach,
    SpendingGoal,
)


class ProgrammeAmendmentInline(admin.StackedInline):
    model = ProgrammeAmendment
    extra = 0


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "start",
        "end",
        year_column(Programme, "final_accounting_first_year"),
        year_column(Programme, "final_accounting_last_year"),
    ]
    inlines = [ProgrammeAmendmentInline]


@admin.register(SpendingGoal)
class SpendingGoalAdmin(admin.ModelAdmin):
    list_display = ["name", "number", "kind", "code", "order"]
    list_filter = ["kind"]
    ordering = ["order"]


class MenuItemInline(admin.TabularInline):
    model = MenuItem
    extra = 0
    fields = ["name", "effect_months", "evidence_strength", "cost", "valid_from", "valid_until"]


@admin.register(MenuArea)
class MenuAreaAdmin(admin.ModelAdmin):
    list_display = ["letter", "name"]
    inlines = [MenuItemInline]


@admin.register(MenuItem)
class MenuItemAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "area",
        "effect_months",
        "evidence_strength",
        "cost",
        "valid_from",
        "valid_until",
    ]
    list_filter = ["area"]
    list_select_related = ["area"]
    search_fields = ["name"]


class ConsultationInline(admin.TabularInline):
    model = ConsultationMoment
    extra = 0


class TransitionInline(admin.TabularInline):
    model = PlanTransition
    extra = 0
    readonly_fields = [
        "kind",
        "from_status",
        "to_status",
        "by",
        "at",
        "decided_on",
        "decision_reference",
        "note",
    ]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Plan)
class PlanAdmin(SimpleHistoryAdmin):
    """Plans are written by policy officers in the portal; the history here is read-only."""

    list_display = ["title", "municipality", "status", "updated_at"]
    list_filter = ["status"]
    list_select_related = ["municipality"]
    search_fields = ["title", "municipality__name", "municipality__code"]
    autocomplete_fields = ["municipality"]
    readonly_fields = ["status", "created_at", "updated_at"]
    inlines = [ConsultationInline, TransitionInline]


@admin.register(PlanVersion)
class PlanVersionAdmin(admin.ModelAdmin):
    list_display = ["plan", "number", "adopted_on", "decision_reference", "created_by"]
    list_select_related = ["plan", "created_by"]
    readonly_fields = [
        "plan",
        "number",
        "adopted_on",
        "decision_reference",
        "snapshot",
        "created_by",
        "created_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class InterventionBudgetInline(admin.TabularInline):
    model = InterventionBudget
    extra = 0


class SchoolReachInline(admin.TabularInline):
    model = SchoolReach
    extra = 0
    raw_id_fields = ["school"]


@admin.register(Intervention)
class InterventionAdmin(SimpleHistoryAdmin):
    list_display = ["code", "title", "plan", "goal", "status", "start", "end"]
    list_filter = ["goal", "status"]
    list_select_related = ["plan", "goal"]
    search_fields = ["code", "title", "plan__municipality__name"]
    autocomplete_fields = ["plan", "school_boards"]
    filter_horizontal = ["schools"]
    inlines = [InterventionBudgetInline, SchoolReachInline]


@admin.register(Allocation)
class AllocationAdmin(SimpleHistoryAdmin):
    list_display = ["municipality", "programme", "amount", "pupils", "decision_reference"]
    list_select_related = ["municipality", "programme"]
    search_fields = ["municipality__name", "municipality__code"]
    autocomplete_fields = ["municipality"]
    readonly_fields = ["pupils_source"]


@admin.register(PupilCount)
class PupilCountAdmin(admin.ModelAdmin):
    """DUO's counts as imported (import_pupil_counts); read only, the file is the source."""

    list_display = ["municipality", "sector", "pupils", "locations", "source_file", "source_column"]
    list_filter = ["sector"]
    list_select_related = ["municipality"]
    search_fields = ["municipality__name", "municipality__code"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
