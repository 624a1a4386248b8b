"""How the isolation suite (tests/test_isolation.py) points this app's views at the other
organisation's objects. Every named URL of the app belongs in one of these two."""

from collections.abc import Callable

from reporting.factories import AccountabilityReportFactory, ReportBatchFactory
from reporting.models import ReportBatch
from tests.world import Organisation

# index redirects to the user's own reports; batch-list is the functional administrator's
# alone (everyone else gets 403).
UNPARAMETERISED_VIEWS: set[str] = {"reporting:index", "reporting:batch-list"}


def _municipality(other: Organisation) -> dict:
    return {"code": other.municipality.code}


def _report(other: Organisation) -> dict:
    report = AccountabilityReportFactory(municipality=other.municipality, done=True)
    return {"code": other.municipality.code, "pk": report.pk}


def _batch(other: Organisation) -> dict:
    batch = ReportBatch.objects.first() or ReportBatchFactory()
    AccountabilityReportFactory(municipality=other.municipality, batch=batch, version=2)
    return {"pk": batch.pk}


OTHER_ORGANISATION_KWARGS: dict[str, Callable[[Organisation], dict]] = {
    "reporting:report-list": _municipality,
    "reporting:report-preview": lambda other: {"code": other.municipality.code, "year": 2022},
    "reporting:report-status": _report,
    "reporting:report-pdf": _report,
    "reporting:report-xlsx": _report,
    "reporting:report-finalise": _report,
    "reporting:report-dossier": _report,
    "reporting:report-dossier-xlsx": _report,
    "reporting:report-reopen": _report,
    "reporting:batch-detail": _batch,
    "reporting:batch-status": _batch,
    "reporting:batch-retry": _batch,
}
