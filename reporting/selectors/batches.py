"""How far a batch of reports is, and the state of each municipality's report of a year
for the national monitor."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from reporting.models import AccountabilityReport, ReportStatus


def current_batch_reports(*, batch_ids: list[int]) -> QuerySet[AccountabilityReport]:
    """Each municipality's latest version in each batch: a failed report that was queued
    again counts once, by its retry."""
    newer = AccountabilityReport.objects.filter(
        batch=OuterRef("batch"),
        municipality=OuterRef("municipality"),
        version__gt=OuterRef("version"),
    )
    return AccountabilityReport.objects.filter(batch_id__in=batch_ids).exclude(Exists(newer))


@dataclass(frozen=True)
class BatchSummary:
    """How far a batch is, counted per municipality."""

    total: int = 0
    done: int = 0
    failed: int = 0
    rendering: int = 0

    @property
    def ended(self) -> int:
        return self.done + self.failed

    @property
    def percent(self) -> int:
        return round(100 * self.ended / self.total) if self.total else 100

    @property
    def finished(self) -> bool:
        return self.ended == self.total


def batch_summaries(*, batch_ids: list[int]) -> dict[int, BatchSummary]:
    """The summary of each batch, in one query."""
    rows = (
        current_batch_reports(batch_ids=batch_ids)
        .order_by()
        .values("batch_id")
        .annotate(
            total=Count("pk"),
            done=Count("pk", filter=Q(status=ReportStatus.DONE)),
            failed=Count("pk", filter=Q(status=ReportStatus.FAILED)),
            rendering=Count("pk", filter=Q(status=ReportStatus.RUNNING)),
        )
    )
    summaries = {row.pop("batch_id"): BatchSummary(**row) for row in rows}
    return {pk: summaries.get(pk, BatchSummary()) for pk in batch_ids}


def batch_summary(*, batch_id: int) -> BatchSummary:
    return batch_summaries(batch_ids=[batch_id])[batch_id]


def report_statuses(*, year: int) -> dict[int, str]:
    """Per municipality id the state of its accountability report over `year`, for the
    national monitor: "built" once a version has been rendered, "final" when a version is
    final (and not reopened), "eindverantwoording" when that final version is the final
    accounting. Municipalities without a rendered report are absent. One query."""
    statuses: dict[int, str] = {}
    rank = {"built": 1, "final": 2, "eindverantwoording": 3}
    rows = AccountabilityReport.objects.filter(year=year, status=ReportStatus.DONE).values_list(
        "municipality_id", "is_final", "final_accounting", "reopened_at"
    )
    for municipality_id, is_final, final_accounting, reopened_at in rows:
        current_final = is_final and reopened_at is None
        status = (
            ("eindverantwoording" if final_accounting else "final") if current_final else "built"
        )
        if rank[status] > rank.get(statuses.get(municipality_id, ""), 0):
            statuses[municipality_id] = status
    return statuses
