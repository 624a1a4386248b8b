"""Which files of an accountability report the API hands out, and as what."""

from __future__ import annotations

from reporting.models import AccountabilityReport, ReportStatus

REPORT_FILE_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def report_file_available(report: AccountabilityReport, kind: str) -> bool:
    """Whether the API offers `report`'s file of `kind` ("pdf" or "xlsx"): files of final
    reports only, what the municipality filed. The report view and its serializer's links ask."""
    return report.is_final and report.status == ReportStatus.DONE and bool(getattr(report, kind))
