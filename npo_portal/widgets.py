"""Form widgets shared by the apps."""

from django import forms
from django.utils.translation import gettext_lazy as _

DATE_HINT = _("dd-mm-yyyy")


class DateInput(forms.DateInput):
    """A date typed as dd-mm-jjjj in every browser.

    `<input type="date">` shows the browser's own order (mm/dd/yyyy in an English browser),
    not the portal's; a text input with a pattern does not. The server reads the formats of
    DATE_INPUT_FORMATS (dd-mm-jjjj, jjjj-mm-dd, dd/mm/jjjj), so a pasted ISO date works too.
    """

    input_type = "text"

    def __init__(self, attrs=None):
        defaults = {
            "inputmode": "numeric",
            "autocomplete": "off",
            "placeholder": DATE_HINT,
            # Browsers compile it with the "v" flag: no "-" or "/" inside a character class.
            "pattern": r"\d{1,2}(-|/)\d{1,2}(-|/)\d{4}|\d{4}-\d{1,2}-\d{1,2}",
            "title": DATE_HINT,
            "size": 10,
        }
        super().__init__(attrs={**defaults, **(attrs or {})}, format="%d-%m-%Y")
