from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import DetailView, FormView, TemplateView

from accounts.mixins import MunicipalityFromURLMixin
from reporting import permissions, services
from reporting.forms import FinaliseForm, ReopenForm, StartBatchForm, StartReportForm
from reporting.models import AccountabilityReport, ReportBatch, ReportStatus
from reporting.rendering import ReportMeta, context, render_dossier_xlsx
from reporting.selectors import (
    batch_summaries,
    batch_summary,
    current_batch_reports,
    final_accounting_default,
    report_data,
    report_dossier,
    unconfirmed_sisa_years,
)


@login_required
def index(request):
    """Finance and policy officers go to their municipality's reports; the administrator to
    the batches."""
    user = request.user
    if permissions.can_run_batches(user):
        return redirect("reporting:batch-list")
    if user.municipality_id and permissions.can_view_reports(user, user.municipality):
        return redirect("reporting:report-list", code=user.municipality.code)
    raise PermissionDenied


class MunicipalityReportsMixin(MunicipalityFromURLMixin):
    permission = staticmethod(permissions.can_view_reports)

    def get_report(self) -> AccountabilityReport:
        return get_object_or_404(
            AccountabilityReport.objects.for_user(self.request.user).select_related(
                "municipality", "created_by", "finalised_by"
            ),
            municipality=self.municipality,
            pk=self.kwargs["pk"],
        )


def _years(years: list[int]) -> str:
    """2021, 2022 en 2023"""
    names = [str(year) for year in years]
    if len(names) < 2:
        return "".join(names)
    return _("%(first)s and %(last)s") % {"first": ", ".join(names[:-1]), "last": names[-1]}


def unconfirmed_summary(user, years: list[int]) -> dict:
    """One notice for the unconfirmed SiSa years among `years`, with the way to confirm them
    for whoever may (issue 31: five near-identical warnings read as noise)."""
    unconfirmed = sorted(unconfirmed_sisa_years(years=years), key=lambda sisa: sisa.year)
    blocked = [sisa.year for sisa in unconfirmed if not sisa.override_reason.strip()]
    confirm_url = ""
    if unconfirmed and permissions.can_confirm_sisa_years(user):
        confirm_url = (
            reverse("admin:reporting_sisayear_changelist") + "?grant_code_confirmed__exact=0"
        )
    return {
        "unconfirmed": unconfirmed,
        "unconfirmed_years": _years([sisa.year for sisa in unconfirmed]),
        "blocked_years": _years(blocked),
        "overridden": [sisa for sisa in unconfirmed if sisa.override_reason.strip()],
        "confirm_url": confirm_url,
    }


class ReportListView(MunicipalityReportsMixin, FormView):
    """Every version of the municipality's reports, and the form that starts a new one."""

    template_name = "reporting/report_list.html"
    form_class = StartReportForm

    def post(self, request, *args, **kwargs):
        if not permissions.can_build_reports(request.user, self.municipality):
            raise PermissionDenied
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "municipality": self.municipality}

    def form_valid(self, form):
        try:
            report = services.start_report(
                municipality=self.municipality,
                year=form.cleaned_data["year"],
                user=self.request.user,
                explanation=form.cleaned_data["explanation"],
                final_accounting=form.cleaned_data["final_accounting"],
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(
            self.request, _("Report %(identifier)s is queued.") % {"identifier": report.identifier}
        )
        return redirect("reporting:report-list", code=self.municipality.code)

    def get_context_data(self, **kwargs):
        reports = (
            AccountabilityReport.objects.for_user(self.request.user)
            .filter(municipality=self.municipality)
            .select_related("municipality", "created_by", "finalised_by")
            .prefetch_related("reopenings__by")
        )
        return super().get_context_data(
            municipality=self.municipality,
            reports=reports,
            **unconfirmed_summary(self.request.user, [report.year for report in reports]),
            can_build=permissions.can_build_reports(self.request.user, self.municipality),
            can_reopen=permissions.can_reopen_year(self.request.user, self.municipality),
            **kwargs,
        )


class ReportPreviewView(MunicipalityReportsMixin, TemplateView):
    """The report over a year as it would be built now, in the portal."""

    template_name = "reporting/report_preview.html"

    def get_context_data(self, **kwargs):
        year = self.kwargs["year"]
        data = report_data(
            municipality=self.municipality,
            year=year,
            final_accounting=final_accounting_default(municipality=self.municipality, year=year),
            explanation=self.request.GET.get("toelichting", ""),
        )
        meta = ReportMeta(
            identifier=f"NPO-{self.municipality.code}-{year}-{_('preview')}",
            version=_("preview"),
            date=timezone.localdate(),
        )
        return super().get_context_data(
            municipality=self.municipality, **context(data, meta), **kwargs
        )


def _status(report: AccountabilityReport) -> dict:
    return {
        "id": report.pk,
        "status": report.status,
        "label": report.get_status_display(),
        "progress": report.progress,
        "percent": report.percent,
        "failure_reason": report.failure_reason,
        "done": not report.is_pending,
    }


class ReportStatusView(MunicipalityReportsMixin, View):
    """The report's state as JSON, polled by the reports page."""

    def get(self, request, *args, **kwargs):
        return JsonResponse(_status(self.get_report()))


class ReportDownloadView(MunicipalityReportsMixin, View):
    """A stored PDF or spreadsheet of a finished report, old versions included."""

    file_field = "pdf"

    def get(self, request, *args, **kwargs):
        report = self.get_report()
        stored = getattr(report, self.file_field)
        if report.status != ReportStatus.DONE or not stored:
            raise Http404
        return FileResponse(
            stored.open("rb"),
            as_attachment=True,
            filename=f"{report.identifier}.{self.file_field}",
        )


class ReportDossierView(MunicipalityReportsMixin, TemplateView):
    """The report's audit dossier: each SiSa figure with the rows that make it."""

    permission = staticmethod(permissions.can_view_dossier)
    template_name = "reporting/report_dossier.html"

    def get_context_data(self, **kwargs):
        dossier = report_dossier(report=self.get_report())
        return super().get_context_data(
            municipality=self.municipality,
            dossier=dossier,
            data=dossier.data,
            report=dossier.report,
            rows_shown=settings.DOSSIER_PAGE_ROWS,
            **kwargs,
        )


class ReportDossierXlsxView(MunicipalityReportsMixin, View):
    """The audit dossier as a workbook, built now from the same figures."""

    permission = staticmethod(permissions.can_view_dossier)

    def get(self, request, *args, **kwargs):
        dossier = report_dossier(report=self.get_report())
        response = HttpResponse(
            render_dossier_xlsx(dossier),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        name = f"{dossier.report.identifier}-controledossier.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class ReportFinaliseView(MunicipalityReportsMixin, FormView):
    """The confirmation page that says what marking the report final fixes, then does it."""

    permission = staticmethod(permissions.can_build_reports)
    template_name = "reporting/report_finalise.html"
    form_class = FinaliseForm

    def get_initial(self):
        return {"function": services.default_function(self.request.user)}

    def form_valid(self, form):
        report = self.get_report()
        try:
            services.mark_final(
                report=report, user=self.request.user, function=form.cleaned_data["function"]
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Report %(identifier)s is final; the year %(year)s is closed.")
            % {"identifier": report.identifier, "year": report.year},
        )
        return redirect("reporting:report-list", code=self.municipality.code)

    def get_context_data(self, **kwargs):
        report = self.get_report()
        return super().get_context_data(
            municipality=self.municipality,
            report=report,
            blocker=services.finalising_blocker(report=report),
            **kwargs,
        )


class ReportReopenView(MunicipalityReportsMixin, FormView):
    template_name = "reporting/report_reopen.html"
    form_class = ReopenForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not permissions.can_reopen_year(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        # The municipality is known from here on: not in a closed programme.
        if not permissions.can_reopen_year(request.user, self.municipality):
            raise PermissionDenied
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if not permissions.can_reopen_year(request.user, self.municipality):
            raise PermissionDenied
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        report = self.get_report()
        try:
            services.reopen(
                report=report, user=self.request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The year %(year)s is reopened.") % {"year": report.year})
        return redirect("reporting:report-list", code=self.municipality.code)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            municipality=self.municipality, report=self.get_report(), **kwargs
        )


class BatchAccessMixin(LoginRequiredMixin):
    permission = staticmethod(permissions.can_run_batches)

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not self.permission(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class BatchListView(BatchAccessMixin, FormView):
    template_name = "reporting/batch_list.html"
    form_class = StartBatchForm

    def form_valid(self, form):
        batch = services.start_batch(year=form.cleaned_data["year"], user=self.request.user)
        return redirect("reporting:batch-detail", pk=batch.pk)

    def get_context_data(self, **kwargs):
        batches = list(
            ReportBatch.objects.for_user(self.request.user).select_related("created_by")[:50]
        )
        summaries = batch_summaries(batch_ids=[batch.pk for batch in batches])
        for batch in batches:
            batch.summary = summaries[batch.pk]
        return super().get_context_data(batches=batches, **kwargs)


class BatchDetailView(BatchAccessMixin, DetailView):
    template_name = "reporting/batch_detail.html"

    def get_queryset(self):
        return ReportBatch.objects.for_user(self.request.user)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            counts=batch_summary(batch_id=self.object.pk),
            unconfirmed=unconfirmed_sisa_years(years=[self.object.year]),
            problems=current_batch_reports(batch_ids=[self.object.pk])
            .filter(status=ReportStatus.FAILED)
            .select_related("municipality")
            .order_by("municipality__code"),
            can_retry=permissions.can_retry_batch_reports(self.request.user),
            **kwargs,
        )


class BatchStatusView(BatchAccessMixin, View):
    def get(self, request, pk):
        batch = get_object_or_404(ReportBatch.objects.for_user(request.user), pk=pk)
        counts = batch_summary(batch_id=batch.pk)
        return JsonResponse(
            {
                "percent": counts.percent,
                "done": counts.finished,
                "label": _("%(finished)s of %(total)s reports finished, %(failed)s failed")
                % {"finished": counts.ended, "total": counts.total, "failed": counts.failed},
            }
        )


class BatchRetryView(BatchAccessMixin, View):
    """Queue the batch's failed reports again; POST only."""

    permission = staticmethod(permissions.can_retry_batch_reports)

    def post(self, request, pk):
        batch = get_object_or_404(ReportBatch.objects.for_user(request.user), pk=pk)
        outcome = services.retry_failed(batch=batch, user=request.user)
        count = len(outcome.queued)
        if count:
            messages.success(
                request,
                ngettext(
                    "%(count)s failed report is queued again.",
                    "%(count)s failed reports are queued again.",
                    count,
                )
                % {"count": count},
            )
        elif not outcome.refused:
            messages.info(request, _("There are no failed reports to queue again."))
        for refusal in outcome.refused:
            messages.warning(request, _("Not queued again: %(reason)s") % {"reason": refusal})
        return redirect("reporting:batch-detail", pk=batch.pk)
