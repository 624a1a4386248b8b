from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView

from accounts.mixins import MunicipalityFromURLMixin
from auditing import permissions, selectors, services
from auditing.forms import GrantForm
from auditing.models import AuditorGrant
from plans.models import Plan


@login_required
def home(request):
    """The auditor's start: the access of today and the way to what it opens."""
    user = request.user
    if not user.is_auditor:
        return redirect("home")
    plans = Plan.objects.for_user(user).filter(municipality_id=user.municipality_id)
    return render(
        request,
        "auditing/home.html",
        {
            "grant": selectors.active_grant(user=user),
            "municipality": user.municipality,
            "plans": plans.order_by("-pk"),
        },
    )


class GrantListView(MunicipalityFromURLMixin, FormView):
    """The municipality's auditor access (grant, revoke) and the log of every request."""

    template_name = "auditing/grants.html"
    form_class = GrantForm
    permission = staticmethod(permissions.can_manage_auditor_access)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "municipality": self.municipality}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            grant = services.grant_auditor_access(
                municipality=self.municipality,
                granted_by=self.request.user,
                auditor=data["auditor"],
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                valid_from=data["valid_from"],
                valid_until=data["valid_until"],
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("%(auditor)s has access.") % {"auditor": grant.auditor})
        return redirect("auditing:grants", code=self.municipality.code)

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            municipality=self.municipality,
            grants=selectors.grants_for(user=user, municipality=self.municipality),
            log=selectors.access_log(
                user=user,
                municipality=self.municipality,
                page_number=self.request.GET.get("pagina"),
            ),
            **kwargs,
        )


class RevokeView(MunicipalityFromURLMixin, View):
    permission = staticmethod(permissions.can_manage_auditor_access)

    def post(self, request, *args, pk, **kwargs):
        grant = get_object_or_404(
            AuditorGrant.objects.for_user(request.user).filter(municipality=self.municipality),
            pk=pk,
        )
        services.revoke_auditor_access(grant=grant, user=request.user)
        messages.success(
            request, _("The access of %(auditor)s is revoked.") % {"auditor": grant.auditor}
        )
        return redirect("auditing:grants", code=self.municipality.code)
