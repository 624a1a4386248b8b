import datetime

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from reporting.models import SisaYear
from reporting.selectors import FinalAccountingOption, final_accounting_options


def year_choices() -> list[tuple[int, int]]:
    return [(y, str(y)) for y in SisaYear.objects.values_list("year", flat=True)]


class StartReportForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Reporting year"), coerce=int)
    final_accounting = forms.BooleanField(label=_("This is the final accounting"), required=False)
    explanation = forms.CharField(
        label=_("Explanation"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Shown in the report and as the value of the SiSa explanation indicator."),
    )

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = year_choices()
        last_year = datetime.date.today().year - 1
        if any(year == last_year for year, _label in self.fields["year"].choices):
            self.fields["year"].initial = last_year
        self.final_accounting_options: dict[int, FinalAccountingOption] = final_accounting_options(
            municipality=municipality,
            years=[year for year, _label in self.fields["year"].choices],
        )
        self._describe_final_accounting()
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Build report")))

    def _describe_final_accounting(self) -> None:
        """The checkbox says per year whether it applies, for the script that shows it only
        for years in the window and ticks it for good in the last one."""
        options = self.final_accounting_options.values()
        allowed = [str(o.year) for o in options if o.allowed]
        required = [str(o.year) for o in options if o.required]
        field = self.fields["final_accounting"]
        field.widget.attrs.update(
            {
                "data-allowed-years": " ".join(allowed),
                "data-required-years": " ".join(required),
            }
        )
        option = next(iter(options), None)
        if option is None:
            return
        field.help_text = _(
            "Tick in the year in which the municipality files its eindverantwoording: a "
            "reporting year from %(first)s up to and including %(last)s. The report over "
            "%(last)s always is the eindverantwoording."
        ) % {"first": option.first_year, "last": option.last_year}
        filed = next((o for o in options if o.filed_year), None)
        if filed is not None:
            field.help_text = filed.reason
        if not allowed:
            field.widget = forms.HiddenInput()

    def clean(self):
        cleaned = super().clean()
        option = self.final_accounting_options.get(cleaned.get("year"))
        if option is None:
            return cleaned
        if cleaned.get("final_accounting") and not option.allowed:
            self.add_error("final_accounting", option.reason)
        elif option.required:
            cleaned["final_accounting"] = True
        return cleaned


class StartBatchForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Reporting year"), coerce=int)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = year_choices()
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Build reports for all municipalities")))


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for reopening"), widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Reopen the year"), css_class="btn-danger"))


class FinaliseForm(forms.Form):
    function = forms.CharField(
        label=_("Your function in the signature block"),
        max_length=200,
        help_text=_("For example: controller, or finance officer of the municipality."),
    )
    confirm = forms.BooleanField(
        label=_("I have checked the report and mark it final; I know what becomes fixed."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Mark final"), css_class="btn-success"))
