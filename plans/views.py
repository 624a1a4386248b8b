from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.module_loading import import_string
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView

from accounts.themes import theme_of
from npo_portal.audit import offer_current_version
from npo_portal.charts import Series, bar_chart
from npo_portal.pdf import render_pdf
from plans import permissions, selectors, services
from plans.forms import (
    ConsultationForm,
    CouncilInformedForm,
    InterventionForm,
    InterventionStatusForm,
    PlanCreateForm,
    PlanTextsForm,
    RevisionForm,
    SchoolReachForm,
    TransitionForm,
)
from plans.models import (
    ConsultationMoment,
    Intervention,
    Partner,
    Plan,
    PlanStatus,
    PlanVersion,
    SchoolReach,
    TargetGroup,
)
from schools.selectors import needs_summary


def plan_flags(user, plan: Plan) -> dict[str, bool]:
    """What the page may offer `user`, from the same permission functions the views use."""
    return {
        "can_view": permissions.can_view_plan(user, plan),
        "can_edit": permissions.can_edit_plan(user, plan),
        "can_move": permissions.can_move_plan(user, plan),
        "can_revise": permissions.can_start_revision(user, plan),
        "can_inform_council": permissions.can_record_council_informed(user, plan),
        "can_consult": permissions.can_manage_consultations(user, plan),
        "can_update_progress": permissions.can_update_progress(user, plan),
        "can_record_reach": permissions.can_record_reach(user, plan),
    }


def budget_chart(totals: selectors.BudgetTotals):
    """Bars per calendar year, one per goal or category that has a budget."""
    series = [
        Series(label=row["goal"].name, values=row["amounts"])
        for row in totals.rows()
        if row["total"]
    ]
    if not series:
        return None
    return bar_chart(
        title=_("Budget per spending goal per year"),
        description=_("The plan's budget per calendar year, split by spending goal or category."),
        categories=[str(year) for year in totals.years],
        series=series,
    )


def document_context(plan: Plan, *, reach: bool = True) -> dict:
    """What the plan page, the printable plan and the PDF show (the page without the schools
    and boards each intervention reaches: `reach=False`)."""
    return {**document_figures(plan, reach=reach), **selectors.plan_process(plan=plan)}


def document_figures(plan: Plan, *, reach: bool = True) -> dict:
    """The plan's figures (`selectors.plan_figures`) with their chart and labels: all of the
    document but its consultations, decision history and versions."""
    context = selectors.plan_figures(plan=plan, reach=reach)
    context["chart"] = budget_chart(context["totals"])
    context["target_group_labels"] = dict(TargetGroup.choices)
    context["partner_labels"] = dict(Partner.choices)
    return context


def document_extensions(plan: Plan, user, medium: str) -> list[tuple[str, dict]]:
    """Sections other apps add to the plan page ("page") or PDF ("pdf"), from the providers
    in settings.PLAN_DOCUMENT_EXTENSIONS (plans does not import the apps that depend on it)."""
    sections = []
    for path in settings.PLAN_DOCUMENT_EXTENSIONS:
        section = import_string(path)(plan=plan, user=user, medium=medium)
        if section is not None:
            sections.append(section)
    return sections


class PlanAccessMixin(LoginRequiredMixin):
    """Loads the plan (or the object on it) through the user's scope, then checks the action.

    Someone outside the plan's municipality gets 404 from the scope; someone inside it
    without the right for this action gets 403.
    """

    permission: Callable = staticmethod(permissions.can_view_plan)
    model = Plan

    def load_object(self):
        related = "plan__" if self.model is not Plan else ""
        queryset = self.model.objects.for_user(self.request.user).select_related(
            f"{related}programme", f"{related}municipality"
        )
        return get_object_or_404(queryset, pk=self.kwargs["pk"])

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.object = self.load_object()
        self.plan = self.object if isinstance(self.object, Plan) else self.object.plan
        if not self.permission(request.user, self.plan):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["plan"] = self.plan
        context["object"] = self.object
        context.update(plan_flags(self.request.user, self.plan))
        return context

    def plan_url(self) -> str:
        return reverse("plans:detail", kwargs={"pk": self.plan.pk})


class PlanFormMixin(PlanAccessMixin):
    """A form on the plan that a service saves; refusals by the service show on the form."""

    template_name = "plans/form.html"
    heading = ""

    def get_success_url(self):
        return self.plan_url()

    def get_context_data(self, **kwargs):
        kwargs.setdefault("heading", self.heading)
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        try:
            self.perform(form)
        except ValidationError as error:
            offer_current_version(form, error)
            for message in error.messages:
                form.add_error(None, message)
            return self.form_invalid(form)
        return super().form_valid(form)


class PlanHomeView(LoginRequiredMixin, TemplateView):
    """/plan/: the user's own plan, the form to start it, or for the administrator all plans."""

    template_name = "plans/plan_home.html"

    def get(self, request, *args, **kwargs):
        user = request.user
        if not permissions.can_open_plan_home(user):
            raise PermissionDenied
        if user.is_functional_admin:
            plans = Plan.objects.for_user(user).select_related("municipality")
            return self.render_to_response({"plans": plans.order_by("municipality__name")})
        plan = selectors.plan_for_municipality(user=user, municipality_id=user.municipality_id)
        if plan is not None:
            return redirect("plans:detail", pk=plan.pk)
        can_create = permissions.can_create_plan(user, user.municipality)
        form = PlanCreateForm(municipality=user.municipality) if can_create else None
        return self.render_to_response({"form": form, "municipality": user.municipality})


class PlanCreateView(LoginRequiredMixin, FormView):
    template_name = "plans/plan_home.html"
    form_class = PlanCreateForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not permissions.can_create_plan(
            request.user, request.user.municipality
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "municipality": self.request.user.municipality}

    def get_context_data(self, **kwargs):
        return super().get_context_data(municipality=self.request.user.municipality, **kwargs)

    def form_valid(self, form):
        try:
            plan = services.create_plan(
                municipality=self.request.user.municipality,
                title=form.cleaned_data["title"],
                user=self.request.user,
            )
        except ValidationError as error:
            form.add_error(None, error.messages[0])
            return self.form_invalid(form)
        messages.success(self.request, _("The plan has been created as a concept."))
        return redirect("plans:detail", pk=plan.pk)


class PlanDetailView(PlanAccessMixin, TemplateView):
    template_name = "plans/plan_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan = self.plan
        # The figures (cards, warnings, budget table and chart, interventions: most of the
        # page's queries and rendering) are rendered once per change of what they read and
        # kept in the cache, keyed by the plan, the money log's count for its municipality
        # (`figures_version`, read before the figures), the language and what the user may do
        # to interventions. They are read, lazily, only when the cache has no fragment.
        context["figures_key"] = f"{plan.pk}.{selectors.figures_version(plan=plan)}"
        context["figures"] = SimpleLazyObject(lambda: document_figures(plan, reach=False))
        context["figures_seconds"] = settings.FIGURES_CACHE_SECONDS
        context.update(selectors.plan_process(plan=plan))
        context["next_statuses"] = [
            PlanStatus(status) for status in services.NEXT_STATUSES[self.plan.status]
        ]
        context["needs_summary"] = needs_summary(municipality=self.plan.municipality)
        context["merged_plans"] = selectors.merged_plans(user=self.request.user, plan=self.plan)
        context["document_extensions"] = document_extensions(self.plan, self.request.user, "page")
        return context


class PlanPrintView(PlanAccessMixin, TemplateView):
    template_name = "plans/plan_print.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **document_context(self.plan)}


class PlanPdfView(PlanAccessMixin, TemplateView):
    def get(self, request, *args, **kwargs):
        context = document_context(self.plan)
        context["document_extensions"] = document_extensions(self.plan, request.user, "pdf")
        # A plan the college has not adopted is a draft: every page says so (issue 31).
        context["plan_is_draft"] = self.plan.status in permissions.EDITABLE
        context["theme"] = theme_of(self.plan.municipality, with_logo=True)
        pdf = render_pdf(
            "plans/plan_pdf.html",
            context,
            base_url=request.build_absolute_uri("/"),
        )
        response = HttpResponse(pdf, content_type="application/pdf")
        name = slugify(f"{self.plan.title}") or "plan"
        response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
        return response


class PlanEditView(PlanFormMixin, FormView):
    permission = staticmethod(permissions.can_edit_plan)
    form_class = PlanTextsForm
    heading = _("Edit the plan texts")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.plan}

    def perform(self, form):
        services.update_plan_texts(plan=self.plan, user=self.request.user, **form.cleaned_data)
        messages.success(self.request, _("The plan texts have been saved."))


class PlanTransitionView(PlanFormMixin, FormView):
    permission = staticmethod(permissions.can_move_plan)
    form_class = TransitionForm
    template_name = "plans/transition_form.html"

    def dispatch(self, request, *args, **kwargs):
        if kwargs["to_status"] not in PlanStatus.values:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "to_status": self.kwargs["to_status"]}

    def get_context_data(self, **kwargs):
        to_status = PlanStatus(self.kwargs["to_status"])
        return super().get_context_data(to_status=to_status, **kwargs)

    def perform(self, form):
        services.transition_plan(
            plan=self.plan,
            to_status=self.kwargs["to_status"],
            user=self.request.user,
            **form.cleaned_data,
        )
        messages.success(
            self.request,
            _("The plan now has status “%(status)s”.")
            % {"status": PlanStatus(self.kwargs["to_status"]).label},
        )


class PlanRevisionView(PlanFormMixin, FormView):
    permission = staticmethod(permissions.can_start_revision)
    form_class = RevisionForm
    template_name = "plans/revision_form.html"

    def perform(self, form):
        services.start_revision(plan=self.plan, user=self.request.user, **form.cleaned_data)
        messages.success(
            self.request,
            _("A revision has been started; the adopted versions stay readable."),
        )


class CouncilInformedView(PlanFormMixin, FormView):
    permission = staticmethod(permissions.can_record_council_informed)
    form_class = CouncilInformedForm
    heading = _("Council informed")

    def get_initial(self):
        return {
            "informed_on": self.plan.council_informed_on,
            "reference": self.plan.council_reference,
        }

    def perform(self, form):
        services.record_council_informed(
            plan=self.plan, user=self.request.user, **form.cleaned_data
        )
        messages.success(self.request, _("Recorded that the council was informed."))


class PlanHistoryView(PlanAccessMixin, TemplateView):
    """Who changed what in the plan, its interventions, budgets and consultations."""

    template_name = "plans/history.html"
    permission = staticmethod(permissions.can_view_plan_history)

    def get_context_data(self, **kwargs):
        page = selectors.plan_history(plan=self.plan, page_number=self.request.GET.get("pagina"))
        return super().get_context_data(page=page, **kwargs)


class PlanVersionView(PlanAccessMixin, TemplateView):
    model = PlanVersion
    template_name = "plans/version_detail.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            version=self.object,
            snapshot=self.object.snapshot,
            target_group_labels=dict(TargetGroup.choices),
            partner_labels=dict(Partner.choices),
            **kwargs,
        )


class InterventionFormView(PlanFormMixin, FormView):
    """Create (pk of the plan) or edit (pk of the intervention) an intervention."""

    permission = staticmethod(permissions.can_edit_plan)
    form_class = InterventionForm
    template_name = "plans/intervention_form.html"
    creating = False

    def get_form_kwargs(self):
        instance = Intervention(plan=self.plan) if self.creating else self.object
        return {**super().get_form_kwargs(), "instance": instance, "plan": self.plan}

    def get_context_data(self, **kwargs):
        return super().get_context_data(creating=self.creating, **kwargs)

    def perform(self, form):
        intervention = form.save(commit=False)
        services.save_intervention(
            intervention=intervention,
            budgets=form.budgets(),
            schools=form.cleaned_data["schools"],
            school_boards=form.cleaned_data["school_boards"],
            user=self.request.user,
            version=form.cleaned_data["version"],
        )
        messages.success(
            self.request, _("Intervention %(code)s saved.") % {"code": intervention.code}
        )
        for warning in form.budget_warnings().values():
            messages.warning(self.request, warning)


class InterventionCreateView(InterventionFormView):
    creating = True


class InterventionEditView(InterventionFormView):
    model = Intervention


class InterventionStatusView(PlanFormMixin, FormView):
    """The progress of one intervention while the adopted plan is carried out."""

    model = Intervention
    permission = staticmethod(permissions.can_update_progress)
    form_class = InterventionStatusForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.object}

    def get_context_data(self, **kwargs):
        heading = _("Progress of %(name)s") % {"name": self.object}
        return super().get_context_data(**{**kwargs, "heading": heading})

    def perform(self, form):
        services.set_intervention_status(
            intervention=self.object, status=form.cleaned_data["status"], user=self.request.user
        )
        messages.success(
            self.request, _("Intervention %(code)s saved.") % {"code": self.object.code}
        )


class InterventionReachView(PlanFormMixin, FormView):
    """How many children an intervention plans to reach and has reached per school: the
    golden thread shares the intervention's spending over its schools by the planned reach."""

    model = Intervention
    permission = staticmethod(permissions.can_record_reach)
    form_class = SchoolReachForm
    template_name = "plans/school_reach.html"

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "schools": self.object.schools.order_by("name", "pk"),
            "stored": {
                r.school_id: r for r in SchoolReach.objects.filter(intervention=self.object)
            },
            "may_plan": permissions.can_edit_plan(self.request.user, self.plan),
        }

    def get_context_data(self, **kwargs):
        heading = _("Reach per school of %(code)s") % {"code": self.object.code}
        return super().get_context_data(**{**kwargs, "heading": heading})

    def perform(self, form):
        services.record_school_reach(
            intervention=self.object, reach=form.reach(), user=self.request.user
        )
        messages.success(self.request, _("Reach of %(code)s saved.") % {"code": self.object.code})


class InterventionDeleteView(PlanFormMixin, TemplateView):
    model = Intervention
    permission = staticmethod(permissions.can_edit_plan)
    template_name = "plans/confirm_delete.html"

    def post(self, request, *args, **kwargs):
        try:
            services.delete_intervention(intervention=self.object, user=request.user)
        except ValidationError as refused:
            messages.error(request, " ".join(refused.messages))
            return redirect(self.plan_url())
        messages.success(request, _("Intervention %(code)s deleted.") % {"code": self.object.code})
        return redirect(self.plan_url())


class ConsultationFormView(PlanFormMixin, FormView):
    permission = staticmethod(permissions.can_manage_consultations)
    form_class = ConsultationForm
    creating = False

    def get_form_kwargs(self):
        instance = ConsultationMoment(plan=self.plan) if self.creating else self.object
        return {**super().get_form_kwargs(), "instance": instance}

    def get_context_data(self, **kwargs):
        heading = _("New consultation moment") if self.creating else _("Edit consultation moment")
        return super().get_context_data(**{**kwargs, "heading": heading})

    def perform(self, form):
        services.save_consultation(consultation=form.save(commit=False), user=self.request.user)
        messages.success(self.request, _("Consultation moment saved."))


class ConsultationCreateView(ConsultationFormView):
    creating = True


class ConsultationEditView(ConsultationFormView):
    model = ConsultationMoment


class ConsultationDeleteView(PlanFormMixin, TemplateView):
    model = ConsultationMoment
    permission = staticmethod(permissions.can_manage_consultations)
    template_name = "plans/confirm_delete.html"

    def post(self, request, *args, **kwargs):
        services.delete_consultation(consultation=self.object, user=request.user)
        messages.success(request, _("Consultation moment deleted."))
        return redirect(self.plan_url())
