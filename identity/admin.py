from django import forms
from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from identity.models import (
    AccountEvent,
    ExternalIdentity,
    IdentityProvider,
    RoleMapping,
    roles_of_organisation_kind,
)


class RoleMappingForm(forms.ModelForm):
    class Meta:
        model = RoleMapping
        fields = ["claim_value", "role", "position"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only roles a provider may ever give: never functional administrator or monitor.
        organisation_roles = {
            role.value
            for kind in (True, False)
            for role in roles_of_organisation_kind(municipality=kind)
        }
        self.fields["role"].choices = [
            choice
            for choice in self.fields["role"].choices
            if choice[0] in {"", *organisation_roles}
        ]


class RoleMappingFormSet(forms.BaseInlineFormSet):
    """Each mapping's role must belong to the kind of organisation the provider serves, as
    the provider form now says (also when that changes in the same save, or for a new
    provider, which the mapping's own check cannot see yet)."""

    def clean(self):
        super().clean()
        provider = self.instance
        if provider.municipality_id is None and provider.school_board_id is None:
            return  # the provider form names the missing organisation
        allowed = {role.value for role in provider.allowed_roles}
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if data.get("DELETE") or not data.get("role"):
                continue
            if data["role"] not in allowed:
                form.add_error(
                    "role",
                    _("This role does not belong to the provider's kind of organisation."),
                )


class RoleMappingInline(admin.TabularInline):
    model = RoleMapping
    form = RoleMappingForm
    formset = RoleMappingFormSet
    extra = 1


def _https_by_default(field, **kwargs):
    """An issuer typed without a scheme is read as https (Django 6's default)."""
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


class IdentityProviderForm(forms.ModelForm):
    """The client secret is written here and stored encrypted; it is never shown back."""

    client_secret = forms.CharField(
        label=_("New client secret"),
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_(
            "Stored encrypted. Leave empty to keep the stored secret; the portal never shows it."
        ),
    )
    remove_client_secret = forms.BooleanField(
        label=_("Remove the stored client secret"), required=False
    )

    class Meta:
        model = IdentityProvider
        formfield_callback = _https_by_default
        fields = [
            "name",
            "slug",
            "enabled",
            "municipality",
            "school_board",
            "issuer",
            "client_id",
            "client_secret_variable",
            "scopes",
            "subject_claim",
            "email_claim",
            "role_claim",
        ]

    def clean(self):
        cleaned = super().clean()
        stored = bool(self.instance.client_secret_encrypted) and not cleaned.get(
            "remove_client_secret"
        )
        if not (cleaned.get("client_secret") or stored or cleaned.get("client_secret_variable")):
            raise forms.ValidationError(
                _("Enter the client secret, or the environment variable that holds it.")
            )
        return cleaned

    def save(self, commit=True):
        provider = super().save(commit=False)
        if self.cleaned_data.get("client_secret"):
            provider.set_client_secret(self.cleaned_data["client_secret"])
        elif self.cleaned_data.get("remove_client_secret"):
            provider.set_client_secret("")
        if commit:
            provider.save()
            self.save_m2m()
        return provider


@admin.register(IdentityProvider)
class IdentityProviderAdmin(admin.ModelAdmin):
    form = IdentityProviderForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = [
        "name",
        "slug",
        "issuer",
        "client_id",
        "municipality",
        "school_board",
        "enabled",
    ]
    list_filter = ["enabled"]
    search_fields = ["name", "issuer", "client_id"]
    autocomplete_fields = ["municipality", "school_board"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [RoleMappingInline]
    readonly_fields = ["client_secret_hint"]
    fieldsets = (
        (None, {"fields": ("name", "slug", "enabled", "municipality", "school_board")}),
        (
            "OpenID Connect",
            {
                "fields": (
                    "issuer",
                    "client_id",
                    "client_secret_hint",
                    "client_secret",
                    "remove_client_secret",
                    "client_secret_variable",
                    "scopes",
                )
            },
        ),
        ("Claims", {"fields": ("subject_claim", "email_claim", "role_claim")}),
    )

    def save_model(self, request, obj, form, change):
        """Disabling a provider ends the sessions signed in through it, at once."""
        disabled = change and "enabled" in form.changed_data and not obj.enabled
        super().save_model(request, obj, form, change)
        if disabled:
            from identity.services import end_provider_sessions

            end_provider_sessions(provider=obj, actor=request.user)

    @admin.display(description=_("Stored client secret"))
    def client_secret_hint(self, provider):
        return provider.client_secret_hint if provider.pk else "—"


@admin.register(ExternalIdentity)
class ExternalIdentityAdmin(admin.ModelAdmin):
    list_display = ["user", "provider", "subject", "created_at"]
    list_select_related = ["user", "provider"]
    search_fields = ["subject", "user__username", "user__email"]
    readonly_fields = ["provider", "subject", "user", "created_at"]

    def has_add_permission(self, request):
        return False


@admin.register(AccountEvent)
class AccountEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "subject", "detail"]
    list_filter = ["action"]
    list_select_related = ["actor", "subject"]
    search_fields = ["subject__username", "actor__username", "detail"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
