from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.scoping import municipality_and_predecessors
from npo_portal.audit import VersionedFormMixin
from npo_portal.storage import checked_upload
from npo_portal.tables import MAX_IMPORT_BYTES
from npo_portal.widgets import DATE_HINT, DateInput
from plans.models import Intervention, SpendingGoal

DATE_WIDGET = DateInput()


class ExpenditureForm(VersionedFormMixin, forms.Form):
    date = forms.DateField(label=_("Date"), widget=DATE_WIDGET, help_text=DATE_HINT)
    amount = forms.DecimalField(
        label=_("Amount (€)"),
        max_digits=14,
        decimal_places=2,
        localize=True,
        help_text=_("Negative for a credit note or a correction, e.g. -1.250,00."),
    )
    goal = forms.ModelChoiceField(
        label=_("Spending goal or category"),
        queryset=SpendingGoal.objects.none(),
        empty_label=_("Choose a spending goal or category"),
    )
    intervention = forms.ModelChoiceField(
        label=_("Intervention of the plan"),
        queryset=Intervention.objects.none(),
        required=False,
        empty_label=_("No intervention"),
        help_text=_("Optional; when chosen, its goal must be the goal above."),
    )
    description = forms.CharField(label=_("Description"), max_length=300)
    supplier = forms.CharField(label=_("Supplier"), max_length=200, required=False)
    invoice_number = forms.CharField(label=_("Invoice number"), max_length=100, required=False)

    def __init__(self, *args, programme, municipality, submit_label, version=None, **kwargs):
        super().__init__(*args, **kwargs)
        if version is not None:
            # Editing: the version as loaded, so saving over a newer one is refused.
            self.add_version_field(version=version)
        self.fields["goal"].queryset = SpendingGoal.objects.filter(programme=programme)
        # After a merger the predecessors' interventions go on under the successor.
        self.fields["intervention"].queryset = (
            Intervention.objects.filter(
                plan__municipality__in=municipality_and_predecessors(municipality.pk),
                plan__programme=programme,
            )
            .select_related("goal", "plan__municipality")
            .order_by("plan__municipality__code", "code")
        )
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", submit_label))


class PaymentForm(forms.Form):
    date = forms.DateField(label=_("Date received"), widget=DATE_WIDGET, help_text=DATE_HINT)
    amount = forms.DecimalField(
        label=_("Amount (€)"), max_digits=14, decimal_places=2, localize=True
    )
    reference = forms.CharField(
        label=_("Reference"),
        max_length=100,
        required=False,
        help_text=_("E.g. the payment description on the bank statement."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Record payment")))


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File (CSV or XLSX)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "First row: datum;bedrag;bestedingsdoel;interventie;omschrijving;leverancier;"
            "factuurnummer. At most %(size)s MB."
        ) % {"size": MAX_IMPORT_BYTES // (1024 * 1024)}
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Import")))

    def clean_file(self):
        return checked_upload(self.cleaned_data["file"])


class AllocationImportForm(forms.Form):
    """The allocations file the command `import_allocations` reads, uploaded in the portal."""

    file = forms.FileField(label=_("File (CSV or XLSX)"))
    decision_reference = forms.CharField(
        label=pgettext_lazy("grant decision", "Decision reference"),
        required=False,
        max_length=100,
        help_text=_("Set on every allocation of the file, e.g. the number of the grant decision."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "First row: gemeentecode;gemeente;bedrag, optionally leerlingen;achterstandspunten. "
            "At most %(size)s MB."
        ) % {"size": MAX_IMPORT_BYTES // (1024 * 1024)}
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Import allocations")))

    def clean_file(self):
        return checked_upload(self.cleaned_data["file"])
