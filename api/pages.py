"""The finance officer's pages: the municipality's API tokens, making one, revoking one."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView

from accounts.mixins import MunicipalityFromURLMixin
from api import permissions, selectors, services
from api.forms import TokenForm
from api.models import ApiToken


class TokenPagesMixin(MunicipalityFromURLMixin):
    permission = staticmethod(permissions.can_manage_tokens)


class TokenListView(TokenPagesMixin, FormView):
    """The tokens with their use, and the form that makes a new one."""

    template_name = "api/token_list.html"
    form_class = TokenForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            municipality=self.municipality,
            tokens=selectors.tokens_of(municipality=self.municipality),
            recent=selectors.recent_requests(municipality=self.municipality, limit=20),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            issued = services.issue_token(
                municipality=self.municipality, user=self.request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        # Rendered, not redirected: the secret is in this one response and nowhere else.
        response = render(
            self.request,
            "api/token_created.html",
            {"municipality": self.municipality, "token": issued.token, "secret": issued.secret},
        )
        response["Cache-Control"] = "no-store"
        return response


class TokenRevokeView(TokenPagesMixin, View):
    def post(self, request, *args, **kwargs):
        token = get_object_or_404(
            ApiToken.objects.for_user(request.user).filter(municipality=self.municipality),
            pk=kwargs["pk"],
        )
        services.revoke_token(token=token, user=request.user)
        messages.success(request, _("Token “%(name)s” has been revoked.") % {"name": token.name})
        return redirect("api-tokens:list", code=self.municipality.code)
