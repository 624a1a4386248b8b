from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.template import loader
from django.utils.translation import gettext_lazy as _

from accounts.themes import theme_of
from npo_portal.mail import send_portal_mail
from npo_portal.theming import TOKENS


class LoginForm(AuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Log in")))


class PasswordResetRequestForm(PasswordResetForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Send reset link")))

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        """As every portal mail: text with an HTML alternative in the house style of the
        user's organisation, its logo inline (Django's own would send bare text)."""
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        theme = theme_of(context["user"].organisation, with_logo=True)
        send_portal_mail(subject=subject, body=body, recipients=[to_email], theme=theme)


def token_field_name(token: str) -> str:
    """The form field of a design token: "--nl-link-color" → "nl_link_color"."""
    return token.lstrip("-").replace("-", "_")


class ThemeForm(forms.Form):
    """An organisation's colour tokens and logo; the rules (contrast, the logo's real type)
    are checked by accounts.themes.save_theme, which this form's view calls."""

    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        help_text=_("A PNG or JPEG image of at most 256 kB and 2000 pixels on each side."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
    )
    remove_logo = forms.BooleanField(label=_("Remove the current logo"), required=False)

    def __init__(self, *args, has_logo: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        for token in TOKENS:
            self.fields[token_field_name(token.name)] = forms.CharField(
                label=token.label,
                initial=token.default,
                max_length=7,
                help_text=_("Design token %(name)s") % {"name": token.name},
                widget=forms.TextInput(attrs={"type": "color", "class": "form-control-color"}),
            )
        if not has_logo:
            del self.fields["remove_logo"]
        self.order_fields([token_field_name(token.name) for token in TOKENS])
        self.helper = FormHelper()
        self.helper.form_tag = False

    def tokens(self) -> dict[str, str]:
        return {token.name: self.cleaned_data[token_field_name(token.name)] for token in TOKENS}
