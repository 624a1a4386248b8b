from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from npo_portal.audit import VersionedFormMixin
from npo_portal.storage import checked_upload
from npo_portal.widgets import DateInput
from plans.models import MenuItem, SpendingGoal
from schools import services
from schools.models import Domain, NeedsAnswer, NeedsRound, Severity


class RoundForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    school_year = forms.CharField(
        label=_("School year"), max_length=9, help_text=_("For example 2022-2023.")
    )
    deadline = forms.DateField(
        label=_("Deadline"),
        widget=DateInput(),
        help_text=_("dd-mm-yyyy; boards can submit up to and including this day."),
    )
    questions = forms.CharField(
        label=_("Own questions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Besides the standard questions; one question per line."),
    )

    def __init__(self, *args, needs_round: NeedsRound | None = None, **kwargs):
        if needs_round is not None:
            kwargs.setdefault(
                "initial",
                {
                    "title": needs_round.title,
                    "school_year": needs_round.school_year,
                    "deadline": needs_round.deadline,
                    "questions": "\n".join(q.text for q in needs_round.questions.all()),
                },
            )
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", _("Save")))

    def question_list(self) -> list[str]:
        return [
            line.strip() for line in self.cleaned_data["questions"].splitlines() if line.strip()
        ]


class DelayForm(forms.Form):
    domain = forms.ChoiceField(choices=Domain.choices, widget=forms.HiddenInput)
    severity = forms.ChoiceField(
        label=_("Severity"),
        choices=[("", "—"), *Severity.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    share_of_pupils = forms.IntegerField(
        label=_("Share of pupils affected (%)"),
        min_value=0,
        max_value=100,
        required=False,
        widget=forms.NumberInput(attrs={"class": "form-control", "style": "max-width: 8rem"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The table shows one row per domain; screen readers get the domain in each label.
        self.fields["share_of_pupils"].widget.attrs["aria-label"] = _(
            "%(domain)s: share of pupils affected (%%)"
        ) % {"domain": self.domain_label}

    def clean(self):
        data = super().clean()
        if data.get("share_of_pupils") is not None and not data.get("severity"):
            self.add_error("severity", _("Choose a severity for this share of pupils."))
        return data

    @property
    def domain_label(self) -> str:
        return str(
            Domain(self.initial.get("domain") or self.data.get(f"{self.prefix}-domain")).label
        )


DelayFormSet = forms.formset_factory(
    DelayForm, extra=0, min_num=len(Domain.values), max_num=len(Domain.values), validate_max=True
)


class NeedForm(forms.Form):
    description = forms.CharField(
        label=_("What the school needs from the municipality"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    goals = forms.ModelMultipleChoiceField(
        label=_("Related spending goals"),
        queryset=SpendingGoal.objects.order_by("order"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def clean(self):
        data = super().clean()
        if data.get("goals") and not data.get("description", "").strip():
            self.add_error("description", _("Describe the need you tag with these goals."))
        if data.get("description", "").strip() and not data.get("goals"):
            self.add_error("goals", _("Tag the need with at least one spending goal."))
        return data


NeedFormSet = forms.formset_factory(NeedForm, extra=2)


class AnswerForm(VersionedFormMixin, forms.Form):
    menu_items = forms.ModelMultipleChoiceField(
        label=_("Interventions from the menu that the school runs in its own programme"),
        queryset=MenuItem.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    free_text = forms.CharField(
        label=_("Anything else the municipality should know"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, needs_round: NeedsRound, version: int | None, **kwargs):
        super().__init__(*args, **kwargs)
        # The answer's version as loaded (None: no answer yet); saving over a newer one is refused.
        self.add_version_field(version=version)
        self.fields["menu_items"].queryset = MenuItem.objects.valid_on(
            timezone.localdate()
        ).select_related("area")
        self.questions = list(needs_round.questions.all())
        for question in self.questions:
            self.fields[f"question_{question.pk}"] = forms.CharField(
                label=question.text, required=False, widget=forms.Textarea(attrs={"rows": 3})
            )

    @property
    def question_fields(self):
        return [self[f"question_{question.pk}"] for question in self.questions]


class AnswerForms:
    """The form, the delay rows and the needs of one answer, validated and read together."""

    def __init__(self, *, needs_round: NeedsRound, answer: NeedsAnswer | None, data=None):
        delays = {d.domain: d for d in answer.delays.all()} if answer else {}
        self.delays = DelayFormSet(
            data,
            prefix="vertraging",
            initial=[
                {
                    "domain": domain,
                    "severity": delays[domain].severity if domain in delays else "",
                    "share_of_pupils": delays[domain].share_of_pupils if domain in delays else None,
                }
                for domain in Domain.values
            ],
        )
        needs = (
            [
                {"description": need.description, "goals": list(need.goals.all())}
                for need in answer.needs.prefetch_related("goals")
            ]
            if answer
            else []
        )
        self.needs = NeedFormSet(data, prefix="behoefte", initial=needs)
        initial = {}
        if answer:
            initial = {
                "menu_items": list(answer.menu_items.all()),
                "free_text": answer.free_text,
                **{f"question_{qa.question_id}": qa.text for qa in answer.question_answers.all()},
            }
        self.form = AnswerForm(
            data,
            needs_round=needs_round,
            version=answer.version if answer else None,
            initial=initial,
        )

    def is_valid(self) -> bool:
        return all([self.form.is_valid(), self.delays.is_valid(), self.needs.is_valid()])

    def to_input(self) -> services.AnswerInput:
        delays = {}
        for row in self.delays.cleaned_data:
            if row.get("severity") and row.get("domain") in Domain.values:
                share = row.get("share_of_pupils")
                if row["severity"] == Severity.NONE and share is None:
                    share = 0
                delays[row["domain"]] = (row["severity"], share or 0)
        return services.AnswerInput(
            delays=delays,
            menu_items=self.form.cleaned_data["menu_items"],
            needs=[
                (row["description"], row["goals"])
                for row in self.needs.cleaned_data
                if row.get("description", "").strip()
            ],
            question_texts={
                question.pk: self.form.cleaned_data.get(f"question_{question.pk}", "")
                for question in self.form.questions
            },
            free_text=self.form.cleaned_data["free_text"],
            version=self.form.cleaned_data["version"],
        )


class ReopenRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("Why should the answer be reopened?"), widget=forms.Textarea(attrs={"rows": 3})
    )


class SchoolImportForm(forms.Form):
    file = forms.FileField(
        label=_("Registry file (CSV or XLSX)"),
        help_text=_(
            "Header brin;vestiging;naam;sector;bevoegd_gezag;bestuur_naam;gemeentecode, or "
            "one of DUO's files as downloaded (vestigingenbo, vestigingenso, vestigingenvo, "
            "besturen); separated by ; or , in UTF-8 or Windows-1252."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("import", _("Import")))

    def clean_file(self):
        """The upload, unread: refused when larger than IMPORT_MAX_UPLOAD_MB; what it holds
        is judged by the import (npo_portal.tables), by its content, not its name."""
        return checked_upload(self.cleaned_data["file"])
