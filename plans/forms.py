from __future__ import annotations

from decimal import Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Div, Fieldset, Layout, Row, Submit
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import SchoolBoard
from npo_portal.audit import VersionedFormMixin
from npo_portal.widgets import DATE_HINT, DateInput
from plans import rules, selectors
from plans.models import (
    ConsultationMoment,
    Intervention,
    MenuItem,
    Partner,
    Plan,
    PlanStatus,
    TargetGroup,
)
from schools.models import School


def date_input() -> forms.DateInput:
    return DateInput()


class PlanCreateForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)

    def __init__(self, *args, municipality=None, **kwargs):
        super().__init__(*args, **kwargs)
        if municipality is not None and not self.is_bound:
            self.initial["title"] = _("NP Onderwijs plan %(name)s") % {"name": municipality.name}
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Create the plan")))


class PlanTextsForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Plan
        fields = ["title", "context", "aims"]
        widgets = {
            "context": forms.Textarea(attrs={"rows": 10}),
            "aims": forms.Textarea(attrs={"rows": 6}),
        }
        help_texts = {
            "context": _(
                "What delays and needs do schools, childcare and partners see? Draw on what "
                "school boards reported."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_version_field(version=self.instance.version if self.instance.pk else None)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Save")))


class SchoolChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        if obj.closed_on is None:
            return str(obj)
        return _("%(school)s (closed on %(date)s)") % {
            "school": obj,
            "date": obj.closed_on.strftime("%d-%m-%Y"),
        }


class InterventionForm(VersionedFormMixin, forms.ModelForm):
    """An intervention with its reach and its budget per calendar year of the programme."""

    target_groups = forms.MultipleChoiceField(
        label=_("Target groups"),
        choices=TargetGroup.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Children in voorschoolse educatie, po, so or vo, and thuiszitters."),
    )
    partners = forms.MultipleChoiceField(
        label=_("Partners"),
        choices=Partner.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    schools = SchoolChoiceField(
        label=_("Schools reached"),
        queryset=School.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "Open school locations in the municipality; a closed one stays only where it was "
            "already reached."
        ),
    )
    school_boards = forms.ModelMultipleChoiceField(
        label=_("School boards reached"),
        queryset=SchoolBoard.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Boards with schools in the municipality."),
    )

    class Meta:
        model = Intervention
        fields = [
            "code",
            "title",
            "description",
            "goal",
            "menu_item",
            "target_groups",
            "planned_reach",
            "schools",
            "school_boards",
            "partners",
            "other_partners",
            "start",
            "end",
            "status",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "start": date_input(),
            "end": date_input(),
        }

    def __init__(self, *args, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        programme = plan.programme
        self.years = rules.programme_years(programme)
        self.fields["goal"].queryset = programme.goals.all()
        self.fields["goal"].empty_label = _("Choose a spending goal")
        self.fields["menu_item"].empty_label = _("No intervention from the menu")
        self.fields["menu_item"].help_text = _(
            "An item of the menukaart, the national menu of evidence-informed interventions; "
            "leave it empty for a measure of the municipality's own."
        )
        stored_groups = set(self.instance.target_groups or []) if self.instance.pk else set()
        if not stored_groups & rules.FOLLOW_ON_EDUCATION:
            # mbo and hbo students are no target group of the grant: not offered as boxes. The
            # field still accepts them, so a value sent anyway meets the rule's explanation
            # (rules.target_group_problems); one stored earlier stays visible with it.
            self.fields["target_groups"].widget.choices = [
                (value, label)
                for value, label in TargetGroup.choices
                if value not in rules.FOLLOW_ON_EDUCATION
            ]
        self.fields["menu_item"].queryset = MenuItem.objects.select_related("area").filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=programme.end),
            Q(valid_until__isnull=True) | Q(valid_until__gte=programme.start),
        )
        self.fields["schools"].queryset = selectors.reachable_schools(
            plan=plan, intervention=self.instance
        )
        reached = Q(pk__in=School.objects.filter(municipality=plan.municipality_id).values("board"))
        if self.instance.pk:
            # Keep boards linked before their schools were registered, so saving does not drop them.
            reached |= Q(pk__in=self.instance.school_boards.values("pk"))
        self.fields["school_boards"].queryset = SchoolBoard.objects.filter(reached)
        budgets = (
            {b.year: b.amount for b in self.instance.budgets.all()} if self.instance.pk else {}
        )
        for year in self.years:
            self.fields[self.budget_field(year)] = forms.DecimalField(
                label=str(year),
                required=False,
                min_value=Decimal("0"),
                max_digits=14,
                decimal_places=2,
                localize=True,
                initial=budgets.get(year),
                widget=forms.TextInput(attrs={"inputmode": "decimal"}),
            )
        self.add_version_field(version=self.instance.version if self.instance.pk else None)
        if self.instance.pk and not self.is_bound:
            self.show_budget_warnings(
                rules.budget_outside_period_warnings(
                    start=self.instance.start, end=self.instance.end, budgets=budgets
                )
            )
        self.helper = FormHelper()
        self.helper.layout = Layout(
            "version",
            Fieldset(
                _("Intervention"),
                Row(Column("code", css_class="col-md-3"), Column("title", css_class="col-md-9")),
                "description",
                Row(Column("goal"), Column("menu_item")),
            ),
            Fieldset(
                _("Children and schools"),
                Row(
                    Column("target_groups", css_class="col-md-4"),
                    Column("planned_reach", css_class="col-md-4"),
                ),
                Row(Column("schools"), Column("school_boards")),
            ),
            Fieldset(
                _("Partners"),
                Div("partners", css_class="columns-2"),
                "other_partners",
            ),
            Fieldset(
                _("Period and status"),
                Row(Column("start"), Column("end"), Column("status")),
            ),
            Fieldset(
                _("Budget per calendar year"),
                HTML(
                    '<p class="form-text">'
                    + str(_("Amounts in euros; leave a year empty when nothing is budgeted."))
                    + "</p>"
                ),
                Row(*[Column(self.budget_field(year)) for year in self.years]),
            ),
        )
        self.helper.add_input(Submit("submit", _("Save")))

    @staticmethod
    def budget_field(year: int) -> str:
        return f"budget_{year}"

    def budget_fields(self):
        return [self[self.budget_field(year)] for year in self.years]

    def budgets(self) -> dict[int, Decimal | None]:
        return {year: self.cleaned_data.get(self.budget_field(year)) for year in self.years}

    def budget_warnings(self) -> dict[int, str]:
        """Budget years outside the intervention's own period, as entered (see rules)."""
        return rules.budget_outside_period_warnings(
            start=self.cleaned_data.get("start"),
            end=self.cleaned_data.get("end"),
            budgets=self.budgets(),
        )

    def show_budget_warnings(self, warnings: dict[int, str]) -> None:
        for year, warning in warnings.items():
            self.fields[self.budget_field(year)].help_text = warning

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        clash = Intervention.objects.filter(plan=self.plan, code=code).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("The plan already has an intervention with this code."))
        return code

    def clean(self):
        cleaned = super().clean()
        programme = self.plan.programme
        start, end = cleaned.get("start"), cleaned.get("end")
        for problem in rules.period_problems(programme=programme, start=start, end=None):
            self.add_error("start", problem)
        for problem in rules.period_problems(programme=programme, start=None, end=end):
            self.add_error("end", problem)
        for problem in rules.order_problems(start=start, end=end):
            self.add_error("end", problem)
        for problem in rules.target_group_problems(target_groups=cleaned.get("target_groups", [])):
            self.add_error("target_groups", problem)
        for problem in rules.menu_item_problems(
            menu_item=cleaned.get("menu_item"), start=start, end=end
        ):
            self.add_error("menu_item", problem)
        if Partner.OTHER in cleaned.get("partners", []) and not cleaned.get("other_partners"):
            self.add_error("other_partners", _("Name the other partners."))
        self.show_budget_warnings(self.budget_warnings())
        return cleaned

    def _post_clean(self):
        self.instance.plan = self.plan
        super()._post_clean()


class InterventionStatusForm(forms.ModelForm):
    class Meta:
        model = Intervention
        fields = ["status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Save")))


class TransitionForm(forms.Form):
    decided_on = forms.DateField(
        label=_("Date of the college decision"), widget=date_input(), help_text=DATE_HINT
    )
    decision_reference = forms.CharField(
        label=_("Decision reference"),
        max_length=200,
        help_text=_("For example the number of the college decision."),
    )
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, to_status: str, **kwargs):
        super().__init__(*args, **kwargs)
        if to_status != PlanStatus.ADOPTED:
            del self.fields["decided_on"]
            del self.fields["decision_reference"]
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Confirm")))


class RevisionForm(forms.Form):
    note = forms.CharField(
        label=_("Reason for the revision"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Start a revision")))


class CouncilInformedForm(forms.Form):
    informed_on = forms.DateField(
        label=_("Date the council was informed"), widget=date_input(), help_text=DATE_HINT
    )
    reference = forms.CharField(
        label=_("Reference of the council information letter (RIB)"),
        max_length=200,
        help_text=_(
            "The raadsinformatiebrief (RIB) with which the college informed the council of the "
            "plan, e.g. RIB 2021-058."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Save")))


class ConsultationForm(forms.ModelForm):
    class Meta:
        model = ConsultationMoment
        fields = ["date", "body", "participants", "summary"]
        widgets = {"date": date_input(), "summary": forms.Textarea(attrs={"rows": 5})}
        help_texts = {"date": DATE_HINT}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Save")))


class SchoolReachForm(forms.Form):
    """Planned and reported children per school of an intervention; the planned column is
    read-only once the plan is adopted (the service keeps it as it was)."""

    def __init__(self, *args, schools, stored: dict, may_plan: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for school in schools:
            row = stored.get(school.pk)
            for kind, label in (("planned", _("Planned")), ("reported", _("Reported"))):
                self.fields[f"{kind}_{school.pk}"] = forms.IntegerField(
                    label=_("%(kind)s reach at %(school)s (children)")
                    % {"kind": label, "school": school.name},
                    min_value=0,
                    max_value=100_000,
                    required=False,
                    initial=getattr(row, kind) if row else None,
                    disabled=kind == "planned" and not may_plan,
                    widget=forms.NumberInput(
                        attrs={"class": "form-control", "inputmode": "numeric"}
                    ),
                )
            self.rows.append((school, self[f"planned_{school.pk}"], self[f"reported_{school.pk}"]))

    def reach(self) -> dict[int, tuple[int | None, int | None]]:
        return {
            school.pk: (
                self.cleaned_data[f"planned_{school.pk}"],
                self.cleaned_data[f"reported_{school.pk}"],
            )
            for school, _planned, _reported in self.rows
        }
