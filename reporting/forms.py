import datetime

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from reporting.models import SisaYear


def year_choices() -> list[tuple[int, int]]:
    return [(y, str(y)) for y in SisaYear.objects.values_list("year", flat=True)]


class StartReportForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Reporting year"), coerce=int)
    explanation = forms.CharField(
        label=_("Explanation"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Shown in the report and as the value of the SiSa explanation indicator."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = year_choices()
        last_year = datetime.date.today().year - 1
        if any(year == last_year for year, _label in self.fields["year"].choices):
            self.fields["year"].initial = last_year
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Build report")))


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
