import hashlib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject, cached_property
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from accounts.mixins import MunicipalityFromURLMixin
from auditing.permissions import can_manage_auditor_access
from finance import charts, exports, permissions, selectors, services
from finance.forms import AllocationImportForm, ExpenditureForm, ImportForm, PaymentForm
from finance.models import Expenditure, ExpenditureImport, Payment
from insight.figures import (
    cached_finance_totals,
    cached_list_figures,
    figures_key,
    own_changes_key,
)
from npo_portal.audit import offer_current_version
from npo_portal.exports import CSV_CONTENT_TYPE
from npo_portal.storage import upload_source
from plans.models import Allocation


@login_required
def index(request):
    """Finance officers and policy officers go to their municipality's dashboard."""
    user = request.user
    if user.is_functional_admin:
        return redirect("finance:allocation-list")
    if user.municipality_id and permissions.can_view_finances(user, user.municipality):
        return redirect("finance:dashboard", code=user.municipality.code)
    raise PermissionDenied


class AllocationListView(LoginRequiredMixin, ListView):
    """The functional administrator's way into every municipality's money."""

    template_name = "finance/allocation_list.html"
    paginate_by = 50

    def get_queryset(self):
        if not permissions.can_list_allocations(self.request.user):
            raise PermissionDenied
        if self.off_formula:
            queryset = selectors.allocations_off_formula(user=self.request.user)
        else:
            queryset = Allocation.objects.for_user(self.request.user)
        return queryset.select_related("municipality", "programme").order_by("municipality__name")

    @property
    def off_formula(self) -> bool:
        return self.request.GET.get("afwijkend") == "1"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            off_formula=self.off_formula, tolerance=selectors.FORMULA_TOLERANCE, **kwargs
        )


class AllocationImportView(LoginRequiredMixin, FormView):
    """Upload the allocations file in the portal: every row or none, as the command does."""

    template_name = "finance/allocation_import.html"
    form_class = AllocationImportForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not permissions.can_import_allocations(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            result = services.import_allocations(
                data=upload_source(form.cleaned_data["file"]),
                decision_reference=form.cleaned_data["decision_reference"],
            )
        except services.ImportRejected as rejected:
            return self.render_to_response(
                self.get_context_data(form=form, rejected=rejected.errors)
            )
        messages.success(
            self.request,
            _(
                "Allocations imported: %(created)s new, %(updated)s changed, %(unchanged)s "
                "unchanged."
            )
            % {
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
            },
        )
        return redirect("finance:allocation-list")


class MunicipalityFinanceMixin(MunicipalityFromURLMixin):
    permission = staticmethod(permissions.can_view_finances)

    @cached_property
    def programme(self):
        # Read when a page needs it: the dashboard and the payments read their totals from
        # the cache, the expenditure list its filters and totals (issue 32).
        return selectors.finance_programme()

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            municipality=self.municipality,
            can_record=permissions.can_record_finances(self.request.user, self.municipality),
            can_manage_auditors=can_manage_auditor_access(self.request.user, self.municipality),
            **kwargs,
        )


class DashboardView(MunicipalityFinanceMixin, TemplateView):
    template_name = "finance/dashboard.html"

    def get_context_data(self, **kwargs):
        # The figures are rendered once per change of the books (insight.figures): the
        # template's cache block is keyed by `figures_key`, and the totals and charts are
        # only computed when it has to render them.
        today = timezone.localdate()
        totals = SimpleLazyObject(
            lambda: cached_finance_totals(municipality=self.municipality, today=today)
        )
        successor = self.municipality.successor
        return super().get_context_data(
            figures_key=figures_key(municipality=self.municipality, on=today),
            figures_seconds=settings.FIGURES_CACHE_SECONDS,
            totals=totals,
            successor_visible=bool(
                successor and permissions.can_view_finances(self.request.user, successor)
            ),
            spending_chart=SimpleLazyObject(lambda: charts.spending_against_payments(totals)),
            goal_chart=SimpleLazyObject(lambda: charts.spending_per_goal(totals)),
            **kwargs,
        )


class ExpenditureListView(MunicipalityFinanceMixin, TemplateView):
    template_name = "finance/expenditure_list.html"

    def get_context_data(self, **kwargs):
        filters = filters_from(self.request.GET)
        queryset = selectors.expenditures_for(
            user=self.request.user, municipality=self.municipality, filters=filters
        )

        def list_totals():
            return selectors.expenditure_list_totals(
                municipality=self.municipality,
                filters=filters,
                expenditures=queryset,
                programme=self.programme,
            )

        # The filters' options, the closed years and the total change only with the books:
        # cached under the municipality's change count (issue 32: five queries of ten). A
        # searched list's total is added up from its rows, so it is not cached.
        searched = bool(filters.search.split())
        changes = own_changes_key(self.municipality)
        options, totals = cached_list_figures(
            municipality=self.municipality,
            totals_filters=(filters.year, filters.goal, filters.intervention, filters.eligibility),
            options=lambda: selectors.expenditure_list_options(
                user=self.request.user, municipality=self.municipality, programme=self.programme
            ),
            totals=None if searched else list_totals,
            changes=changes,
        )
        if searched:
            totals = list_totals()
        cursor = self.request.GET.get("na")
        # Read only when the table is rendered: an unsearched list's table (its rows, total
        # and pager) is kept in the cache under the same change count, the address's query
        # and what the user may do (`table_key` and the template's cache block).
        page = SimpleLazyObject(
            lambda: selectors.keyset_page(
                queryset=queryset, cursor=cursor, count=totals.count, fields=selectors.LIST_FIELDS
            )
        )
        query = self.request.GET.copy()
        query.pop("na", None)
        unsorted = query.copy()
        unsorted.pop("sorteer", None)
        address = hashlib.sha256(repr((filters, query.urlencode(), cursor)).encode())
        return super().get_context_data(
            page=page,
            list_totals=totals,
            filters=filters,
            filter_query=query.urlencode(),
            unsorted_query=unsorted.urlencode(),
            table_key=None if searched else f"{changes}:{address.hexdigest()}",
            figures_seconds=settings.FIGURES_CACHE_SECONDS,
            **options,
            **kwargs,
        )


class ExpenditureExportView(MunicipalityFinanceMixin, View):
    """The filtered expenditure list as CSV (streamed) or XLSX, for whoever may read it."""

    def get(self, request, *args, fmt, **kwargs):
        queryset = selectors.expenditures_for(
            user=request.user, municipality=self.municipality, filters=filters_from(request.GET)
        )
        name = f"uitgaven-{self.municipality.code}-{timezone.localdate():%Y-%m-%d}"
        if fmt == "csv":
            response = StreamingHttpResponse(
                exports.csv_file_lines(queryset), content_type=CSV_CONTENT_TYPE
            )
            response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
            return response
        if fmt == "xlsx":
            return FileResponse(
                exports.xlsx_file(queryset),
                as_attachment=True,
                filename=f"{name}.xlsx",
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        raise Http404


ORDER_PARAMETERS = {"datum": "date", "-datum": "-date", "bedrag": "amount", "-bedrag": "-amount"}


def filters_from(params) -> selectors.ExpenditureFilters:
    year = params.get("jaar", "")
    return selectors.ExpenditureFilters(
        year=int(year) if year.isdigit() and len(year) == 4 else None,
        goal=params.get("doel") or None,
        intervention=params.get("interventie") or None,
        eligibility=params.get("subsidiabel")
        if params.get("subsidiabel") in ("ok", "niet")
        else None,
        search=params.get("zoek", "").strip()[:100],
        order=ORDER_PARAMETERS.get(params.get("sorteer", ""), "-date"),
    )


class RecordingMixin(MunicipalityFinanceMixin):
    permission = staticmethod(permissions.can_record_finances)

    def success_url_for_list(self):
        return reverse("finance:expenditure-list", kwargs={"code": self.municipality.code})


class ExpenditureCreateView(RecordingMixin, FormView):
    template_name = "finance/expenditure_form.html"
    form_class = ExpenditureForm

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "programme": self.programme,
            "municipality": self.municipality,
            "submit_label": _("Record expenditure"),
        }

    def form_valid(self, form):
        try:
            self.save(form.cleaned_data)
        except ValidationError as error:
            offer_current_version(form, error)
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The expenditure has been saved."))
        return redirect(self.success_url_for_list())

    def save(self, data):
        services.create_expenditure(municipality=self.municipality, user=self.request.user, **data)


class ExpenditureObjectMixin(RecordingMixin):
    def get_expenditure(self) -> Expenditure:
        if not hasattr(self, "expenditure"):
            self.expenditure = get_object_or_404(
                Expenditure.objects.for_user(self.request.user)
                .filter(municipality=self.municipality)
                .select_related("municipality", "programme", "goal", "intervention"),
                pk=self.kwargs["pk"],
            )
        return self.expenditure

    def get_context_data(self, **kwargs):
        return super().get_context_data(expenditure=self.get_expenditure(), **kwargs)

    def closed_year_refusal(self):
        """Back to the list with the reason when the expenditure lies in a closed year, so a
        typed-in address offers no form that cannot be saved."""
        year = self.get_expenditure().date.year
        if year not in selectors.closed_years(municipality=self.municipality):
            return None
        messages.error(self.request, services.closed_year_message(year))
        return redirect(self.success_url_for_list())

    def get(self, request, *args, **kwargs):
        return self.closed_year_refusal() or super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        return self.closed_year_refusal() or super().post(request, *args, **kwargs)


class ExpenditureUpdateView(ExpenditureObjectMixin, ExpenditureCreateView):
    def get_initial(self):
        expenditure = self.get_expenditure()
        return {name: getattr(expenditure, name) for name in services.EDITABLE_FIELDS}

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "submit_label": _("Save changes"),
            "version": self.get_expenditure().version,
        }

    def save(self, data):
        services.update_expenditure(
            expenditure=self.get_expenditure(), user=self.request.user, **data
        )


class ExpenditureDeleteView(ExpenditureObjectMixin, TemplateView):
    template_name = "finance/expenditure_confirm_delete.html"

    def post(self, request, *args, **kwargs):
        if refusal := self.closed_year_refusal():
            return refusal
        try:
            services.delete_expenditure(expenditure=self.get_expenditure(), user=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect(self.success_url_for_list())
        messages.success(request, _("The expenditure has been deleted."))
        return redirect(self.success_url_for_list())


class HistoryView(MunicipalityFinanceMixin, TemplateView):
    """Who changed what in the municipality's expenditures, payments and allocation."""

    template_name = "finance/history.html"

    def get_context_data(self, **kwargs):
        page = selectors.finance_history(
            municipality=self.municipality, page_number=self.request.GET.get("pagina")
        )
        return super().get_context_data(page=page, **kwargs)


class PaymentListView(MunicipalityFinanceMixin, TemplateView):
    template_name = "finance/payment_list.html"

    def get_context_data(self, **kwargs):
        # Expected against received is rendered once per change of the books, as the
        # dashboard's figures are (the template's cache block is keyed by `figures_key`);
        # the totals are only read when it has to render it.
        today = timezone.localdate()
        key = figures_key(municipality=self.municipality, on=today)
        return super().get_context_data(
            figures_key=key,
            figures_seconds=settings.FIGURES_CACHE_SECONDS,
            totals=SimpleLazyObject(
                lambda: cached_finance_totals(municipality=self.municipality, today=today, key=key)
            ),
            payments=Payment.objects.for_user(self.request.user)
            .filter(municipality=self.municipality)
            .select_related("recorded_by")
            .order_by("-date", "-id"),
            **kwargs,
        )


class PaymentCreateView(RecordingMixin, FormView):
    template_name = "finance/payment_form.html"
    form_class = PaymentForm

    def form_valid(self, form):
        try:
            services.record_payment(
                municipality=self.municipality, user=self.request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The payment has been recorded."))
        return redirect("finance:payment-list", code=self.municipality.code)


class ImportView(RecordingMixin, FormView):
    """Upload a file; the import runs in the background and its page shows the outcome."""

    template_name = "finance/import.html"
    form_class = ImportForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            imports=ExpenditureImport.objects.for_user(self.request.user)
            .filter(municipality=self.municipality)
            .select_related("uploaded_by")
            .defer("messages")[:10],
            **kwargs,
        )

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        job = services.start_expenditure_import(
            municipality=self.municipality,
            user=self.request.user,
            file_name=upload.name,
            data=upload,
        )
        return redirect("finance:import-detail", code=self.municipality.code, pk=job.pk)


class ImportTemplateView(RecordingMixin, View):
    """An empty import file with the columns the import expects, as CSV or XLSX."""

    def get(self, request, *args, fmt, **kwargs):
        name = "uitgaven-importsjabloon"
        if fmt == "csv":
            response = HttpResponse(exports.import_template_csv(), content_type=CSV_CONTENT_TYPE)
            response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
            return response
        if fmt == "xlsx":
            return FileResponse(
                exports.import_template_xlsx(self.municipality),
                as_attachment=True,
                filename=f"{name}.xlsx",
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        raise Http404


class ImportDetailView(RecordingMixin, TemplateView):
    template_name = "finance/import_detail.html"

    def get_context_data(self, **kwargs):
        job = get_object_or_404(
            ExpenditureImport.objects.for_user(self.request.user).filter(
                municipality=self.municipality
            ),
            pk=self.kwargs["pk"],
        )
        return super().get_context_data(
            job=job,
            can_abandon=permissions.can_abandon_import(self.request.user, self.municipality),
            timeout_minutes=settings.EXPENDITURE_IMPORT_TIMEOUT_MINUTES,
            **kwargs,
        )


class ImportAbandonView(MunicipalityFinanceMixin, View):
    """Abort an import that is stuck waiting or running; POST only."""

    permission = staticmethod(permissions.can_abandon_import)

    def post(self, request, *args, **kwargs):
        job = get_object_or_404(
            ExpenditureImport.objects.for_user(request.user).filter(municipality=self.municipality),
            pk=kwargs["pk"],
        )
        try:
            services.abandon_import(expenditure_import=job, user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("The import has been aborted. Nothing of the file has been saved.")
            )
        return redirect("finance:import-detail", code=self.municipality.code, pk=job.pk)
