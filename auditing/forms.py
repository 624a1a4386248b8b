from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from npo_portal.widgets import DATE_HINT, DateInput


class GrantForm(forms.Form):
    auditor = forms.ModelChoiceField(
        label=_("Auditor"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("A new auditor (invite by e-mail below)"),
    )
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(
        label=_("E-mail address"),
        required=False,
        help_text=_("For a new auditor: they receive an e-mail to set their password."),
    )
    valid_from = forms.DateField(label=_("From"), widget=DateInput(), help_text=DATE_HINT)
    valid_until = forms.DateField(
        label=_("Until"),
        widget=DateInput(),
        help_text=_("The last day of access, included. After it the access ends by itself."),
    )

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["auditor"].queryset = User.objects.filter(
            role=Role.AUDITOR, municipality=municipality, is_active=True
        )
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Grant access")))
