from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from accounts.mixins import MunicipalityFromURLMixin
from settlement import permissions, selectors, services
from settlement.forms import CloseForm, ReopenForm, RepaymentForm, SettlementForm


class SettlementMixin(MunicipalityFromURLMixin):
    permission = staticmethod(permissions.can_view_settlement)
    # The permission of the action a form page does; None for pages that only read.
    action = None

    def check_action(self):
        if self.action is not None and not self.action(self.request.user, self.municipality):
            raise PermissionDenied

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            municipality=self.municipality,
            can_record=permissions.can_record_settlement(user, self.municipality),
            can_close=permissions.can_close_programme(user, self.municipality),
            can_reopen=permissions.can_reopen_programme(user, self.municipality),
            **kwargs,
        )


class ActionFormView(SettlementMixin, FormView):
    def get(self, request, *args, **kwargs):
        self.check_action()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.check_action()
        return super().post(request, *args, **kwargs)

    def run(self, form):
        raise NotImplementedError

    def form_valid(self, form):
        try:
            message = self.run(form)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, message)
        return redirect("settlement:detail", code=self.municipality.code)


class SettlementDetailView(SettlementMixin, TemplateView):
    """The final position, the decision beside it, the repayment and the closing."""

    template_name = "settlement/detail.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            page=selectors.settlement_page(municipality=self.municipality), **kwargs
        )


class SettlementRecordView(ActionFormView):
    template_name = "settlement/form.html"
    form_class = SettlementForm
    action = staticmethod(permissions.can_record_settlement)

    def get_initial(self):
        settlement = selectors.settlement_for(municipality=self.municipality)
        if settlement is None:
            return {}
        fields = ["decided_on", "sent_on", "reference", "allocation", "received"]
        fields += ["amount_set", "amount_to_repay", "explanation"]
        return {name: getattr(settlement, name) for name in fields}

    def get_context_data(self, **kwargs):
        page = selectors.settlement_page(municipality=self.municipality)
        return super().get_context_data(
            page=page,
            expected=selectors.expected_figures(position=page.position),
            heading=_("Record the settlement decision"),
            **kwargs,
        )

    def run(self, form):
        services.record_settlement(
            municipality=self.municipality, user=self.request.user, **form.cleaned_data
        )
        return _("The settlement decision has been recorded.")


class RepaymentRecordView(ActionFormView):
    template_name = "settlement/form.html"
    form_class = RepaymentForm
    action = staticmethod(permissions.can_record_settlement)

    def get_settlement(self):
        settlement = selectors.settlement_for(municipality=self.municipality)
        if settlement is None:
            raise Http404
        return settlement

    def get_initial(self):
        return {"amount": self.get_settlement().amount_to_repay}

    def get_context_data(self, **kwargs):
        return super().get_context_data(heading=_("Record the repayment"), **kwargs)

    def run(self, form):
        services.record_repayment(
            settlement=self.get_settlement(), user=self.request.user, **form.cleaned_data
        )
        return _("The repayment has been recorded.")


class CloseView(ActionFormView):
    template_name = "settlement/form.html"
    form_class = CloseForm
    action = staticmethod(permissions.can_close_programme)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            heading=_("Close the programme"),
            warning=_(
                "Once closed, the plans, needs, expenditures, payments and reports of "
                "%(name)s are read-only for everyone. Only the functional administrator can "
                "reopen the programme, with a reason."
            )
            % {"name": self.municipality.name},
            **kwargs,
        )

    def run(self, form):
        services.close_programme(municipality=self.municipality, user=self.request.user)
        return _("The programme of %(name)s is closed.") % {"name": self.municipality.name}


class ReopenView(ActionFormView):
    template_name = "settlement/form.html"
    form_class = ReopenForm
    action = staticmethod(permissions.can_reopen_programme)

    def get_context_data(self, **kwargs):
        return super().get_context_data(heading=_("Reopen the programme"), **kwargs)

    def run(self, form):
        services.reopen_programme(
            municipality=self.municipality,
            user=self.request.user,
            reason=form.cleaned_data["reason"],
        )
        return _("The programme of %(name)s is open again.") % {"name": self.municipality.name}


class LetterView(SettlementMixin, View):
    """The decision's letter, behind the same permission as the page that links to it."""

    def get(self, request, *args, **kwargs):
        settlement = selectors.settlement_for(municipality=self.municipality)
        if settlement is None or not settlement.letter:
            raise Http404
        return FileResponse(
            settlement.letter.open("rb"),
            as_attachment=True,
            filename=f"vaststellingsbeschikking-{self.municipality.code}.pdf",
            content_type="application/pdf",
        )
