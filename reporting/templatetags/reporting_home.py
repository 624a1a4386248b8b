from django import template
from django.utils import timezone

from finance.models import ExpenditureImport, ImportStatus
from reporting import permissions
from reporting.models import AccountabilityReport, ReportBatch, ReportStatus, SisaYear

register = template.Library()


@register.inclusion_tag("reporting/includes/home_years.html", takes_context=True)
def report_next_steps(context):
    """Each past reporting year of the finance officer's municipality with its next step:
    build the report, wait for it, mark it final (which closes the year), or nothing."""
    user = context["user"]
    municipality = user.municipality
    if municipality is None or not permissions.can_build_reports(user, municipality):
        return {"years": None}
    this_year = timezone.localdate().year
    latest = {}
    for report in (
        AccountabilityReport.objects.for_user(user)
        .filter(municipality=municipality)
        .order_by("year", "version")
    ):
        latest[report.year] = report
    years = [
        {"year": year, "report": latest.get(year)}
        for year in SisaYear.objects.filter(year__lt=this_year)
        .order_by("year")
        .values_list("year", flat=True)
    ]
    return {"years": years, "municipality": municipality}


@register.inclusion_tag("reporting/includes/home_admin.html", takes_context=True)
def admin_next_steps(context):
    """The functional administrator's to-do: failed reports and imports, SiSa years whose
    code nobody confirmed, and the latest batches."""
    user = context["user"]
    if not permissions.can_run_batches(user):
        return {"allowed": False}
    return {
        "allowed": True,
        "failed_reports": list(
            AccountabilityReport.objects.for_user(user)
            .filter(status=ReportStatus.FAILED)
            .select_related("municipality")
            .order_by("-id")[:5]
        ),
        "failed_imports": list(
            ExpenditureImport.objects.for_user(user)
            .filter(status=ImportStatus.FAILED)
            .select_related("municipality")
            .order_by("-created_at")[:5]
        ),
        "unconfirmed": list(SisaYear.objects.filter(grant_code_confirmed=False).order_by("year")),
        "batches": list(ReportBatch.objects.for_user(user)[:3]),
    }
