from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from npo_portal.widgets import DATE_HINT, DateInput

DATE_WIDGET = DateInput()


def _money(label, help_text=""):
    return forms.DecimalField(
        label=label, max_digits=14, decimal_places=2, localize=True, help_text=help_text
    )


class SettlementForm(forms.Form):
    decided_on = forms.DateField(
        label=_("Date of the decision"), widget=DATE_WIDGET, help_text=DATE_HINT
    )
    sent_on = forms.DateField(
        label=_("Date sent"),
        widget=DATE_WIDGET,
        help_text=_("The day the decision was sent; the six weeks to object start the day after."),
    )
    reference = forms.CharField(label=_("Reference of the decision"), max_length=100)
    allocation = _money(_("Allocation in the decision (€)"))
    received = _money(_("Advance payments in the decision (€)"))
    amount_set = _money(_("Amount set (€)"))
    amount_to_repay = _money(
        _("Amount to repay (€)"), _("Negative when the municipality still receives money.")
    )
    explanation = forms.CharField(
        label=_("Explanation of the differences"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required where the decision differs from the portal's expected figures."),
    )
    letter = forms.FileField(
        label=_("Decision letter (PDF)"),
        required=False,
        help_text=_("Required with the first recording; a new file replaces the old one."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Record the decision")))


class RepaymentForm(forms.Form):
    date = forms.DateField(label=_("Date paid"), widget=DATE_WIDGET, help_text=DATE_HINT)
    amount = _money(_("Amount (€)"), _("As in the decision: negative when received."))
    reference = forms.CharField(label=_("Reference"), max_length=100, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Record the repayment")))


class CloseForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(
            Submit("submit", _("Close the programme"), css_class="btn btn-danger")
        )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for reopening"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the log of closings, with your name and the time."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Reopen the programme")))
