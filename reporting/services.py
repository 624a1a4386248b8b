"""What changes accountability reports: starting, building, marking final, reopening."""

from __future__ import annotations

import datetime
import hashlib
import logging
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Municipality, User
from finance import services as finance_services
from finance.models import YearClosing
from npo_portal.queueing import QUEUE_DOWN_MESSAGE, enqueue, enqueue_each, require_broker
from reporting.models import (
    AccountabilityReport,
    ReportBatch,
    ReportStatus,
    SisaYear,
    YearReopening,
)
from reporting.rendering import ReportMeta, render_report_pdf, render_xlsx
from reporting.selectors import (
    current_batch_reports,
    final_accounting_default,
    final_accounting_option,
    report_data,
)
from settlement.closed import refuse_if_closed
from settlement.models import Closure

logger = logging.getLogger(__name__)


BUILD_REPORT = "reporting.tasks.build_report"


def _record_task_id(report_id: int, task_id: str) -> None:
    AccountabilityReport.objects.filter(pk=report_id, task_id="").update(task_id=task_id)


def _enqueue(report: AccountabilityReport) -> None:
    enqueue(
        BUILD_REPORT,
        report.pk,
        on_failure=lambda: _record_not_queued([report.pk]),
        on_queued=lambda task_id: _record_task_id(report.pk, task_id),
    )


def _enqueue_all(report_ids: list[int]) -> None:
    """One task per report over one broker connection; should the broker fail halfway, the
    reports not sent end failed (an on-commit hook per report would leave those after the
    first failure waiting for ever)."""
    enqueue_each(
        BUILD_REPORT,
        [(pk,) for pk in report_ids],
        on_failure=lambda unsent: _record_not_queued([pk for (pk,) in unsent]),
        on_queued=lambda args, task_id: _record_task_id(args[0], task_id),
    )


def _record_not_queued(report_ids: list[int]) -> None:
    """The broker refused the reports' tasks: they end failed, not waiting for ever."""
    AccountabilityReport.objects.filter(pk__in=report_ids, status=ReportStatus.QUEUED).update(
        status=ReportStatus.FAILED,
        failure_reason=str(QUEUE_DOWN_MESSAGE),
        finished_at=timezone.now(),
    )


def _refuse_while_final(municipality: Municipality, year: int) -> None:
    final = AccountabilityReport.objects.filter(
        municipality=municipality, year=year, is_final=True, reopened_at__isnull=True
    ).first()
    if final is not None:
        raise ValidationError(
            _(
                "The report over %(year)s is final (version %(version)s). A new version "
                "needs a reopening of the year by the functional administrator."
            )
            % {"year": year, "version": final.version}
        )


def _refuse_when_not_existing(municipality: Municipality, year: int) -> None:
    """A municipality reports over a year only when it existed at the end of it; a
    predecessor's last months are in its successor's report."""
    year_end = datetime.date(year, 12, 31)
    if municipality.valid_until and municipality.valid_until < year_end:
        successor = municipality.successor
        raise ValidationError(
            _(
                "%(name)s no longer existed on 31-12-%(year)s: %(successor)s accounts for "
                "%(year)s, including the share of %(name)s."
            )
            % {
                "name": municipality.name,
                "year": year,
                "successor": successor.name if successor else _("its successor"),
            }
        )
    if municipality.valid_from and municipality.valid_from > year_end:
        raise ValidationError(
            _("%(name)s did not exist yet in %(year)s.") % {"name": municipality.name, "year": year}
        )


def _final_accounting(municipality: Municipality, year: int, chosen: bool) -> bool:
    """The report's eindverantwoording flag: forced in the window's last year, refused when
    the year lies outside the window or another year's eindverantwoording is filed."""
    option = final_accounting_option(municipality=municipality, year=year)
    if chosen and not option.allowed:
        raise ValidationError({"final_accounting": option.reason})
    return chosen or option.required


def _new_report(
    *,
    municipality: Municipality,
    year: int,
    user: User | None,
    explanation: str,
    final_accounting: bool = False,
    batch: ReportBatch | None = None,
) -> AccountabilityReport:
    _refuse_when_not_existing(municipality, year)
    refuse_if_closed(municipality)
    _refuse_while_final(municipality, year)
    final_accounting = _final_accounting(municipality, year, final_accounting)
    last = (
        AccountabilityReport.objects.select_for_update()
        .filter(municipality=municipality, year=year)
        .aggregate(last=Max("version"))["last"]
    )
    return AccountabilityReport.objects.create(
        municipality=municipality,
        year=year,
        version=(last or 0) + 1,
        explanation=explanation,
        final_accounting=final_accounting,
        created_by=user,
        batch=batch,
    )


@transaction.atomic
def start_report(
    *,
    municipality: Municipality,
    year: int,
    user: User | None,
    explanation: str = "",
    final_accounting: bool = False,
) -> AccountabilityReport:
    """Queue a new version of the report of `municipality` over `year`; a worker builds it
    after the commit. Refused while the year's final report has not been reopened.

    `final_accounting` says the municipality files its eindverantwoording over `year`:
    refused outside the programme's window and when a final report over another year already
    is the eindverantwoording (one per municipality; a reopening of that year frees the
    choice again); in the window's last year the report always is the eindverantwoording,
    unless it was filed over an earlier year, and then it never is.
    """
    report = _new_report(
        municipality=municipality,
        year=year,
        user=user,
        explanation=explanation,
        final_accounting=final_accounting,
    )
    _enqueue(report)
    return report


@transaction.atomic
def start_batch(*, year: int, user: User | None) -> ReportBatch:
    """Queue a report over `year` for every municipality that existed in that year, one task
    each. Municipalities whose report over the year is final are left out. Each
    report is the eindverantwoording as nobody chose otherwise: in the window's last year, or
    where the municipality's latest version over the year was marked so."""
    # Hundreds of reports are not saved only to be marked failed: a broker that is down
    # refuses the batch before the first one (QueueUnavailable).
    require_broker()

    batch = ReportBatch.objects.create(year=year, created_by=user)
    final = set(
        AccountabilityReport.objects.filter(
            year=year, is_final=True, reopened_at__isnull=True
        ).values_list("municipality_id", flat=True)
    )
    # A closed programme is read-only (issue 30): its municipality gets no new version.
    municipalities = (
        Municipality.objects.existing_on(datetime.date(year, 12, 31))
        .exclude(pk__in=final)
        .exclude(pk__in=Closure.objects.current().values("municipality_id"))
    )
    ids = [
        _new_report(
            municipality=m,
            year=year,
            user=user,
            explanation="",
            final_accounting=final_accounting_default(municipality=m, year=year),
            batch=batch,
        ).pk
        for m in municipalities.order_by("code")
    ]

    _enqueue_all(ids)
    return batch


@dataclass
class RetryOutcome:
    """What pressing "retry" did: the reports queued again, and per municipality left out
    the reason why."""

    queued: list[AccountabilityReport] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


@transaction.atomic
def retry_failed(*, batch: ReportBatch, user: User | None) -> RetryOutcome:
    """Queue a new version, in the same batch, for each municipality whose latest report in
    the batch failed. A retry still queued or rendering is its latest, so pressing twice
    queues nothing more; a year whose report is final (not reopened) is left out."""
    require_broker()
    # Two presses at once wait for each other here; the second sees the first's retries.
    batch = ReportBatch.objects.select_for_update().get(pk=batch.pk)
    failed = (
        current_batch_reports(batch_ids=[batch.pk])
        .filter(status=ReportStatus.FAILED)
        .select_related("municipality")
        .order_by("municipality__code")
    )
    outcome = RetryOutcome()
    for report in failed:
        try:
            retry = _new_report(
                municipality=report.municipality,
                year=batch.year,
                user=user,
                explanation=report.explanation,
                final_accounting=report.final_accounting,
                batch=batch,
            )
        except ValidationError as refusal:
            outcome.refused.append(
                _("%(municipality)s: %(reason)s")
                % {"municipality": report.municipality.name, "reason": " ".join(refusal.messages)}
            )
            continue
        outcome.queued.append(retry)
    _enqueue_all([retry.pk for retry in outcome.queued])
    logger.info(
        "Batch %s: %s failed reports queued again, %s refused",
        batch.pk,
        len(outcome.queued),
        len(outcome.refused),
    )
    return outcome


def _checksum(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _set_progress(report: AccountabilityReport, status: str, step: str) -> None:
    report.status = status
    report.progress = step
    fields = ["status", "progress"]
    if status == ReportStatus.RUNNING and report.started_at is None:
        report.started_at = timezone.now()
        fields.append("started_at")
    AccountabilityReport.objects.filter(pk=report.pk).update(
        **{name: getattr(report, name) for name in fields}
    )


def build_report(*, report_id: int) -> AccountabilityReport | None:
    """Render the report's PDF and spreadsheet and store them. A report that is done (or gone)
    is left alone; the files become visible only together with the status "done"."""
    report = (
        AccountabilityReport.objects.select_related("municipality").filter(pk=report_id).first()
    )
    if report is None or report.status not in (ReportStatus.QUEUED, ReportStatus.RUNNING):
        # Done, or failed (a message handed out again after its worker died): left alone.
        return None
    _set_progress(report, ReportStatus.RUNNING, _("Collecting the figures"))
    data = report_data(
        municipality=report.municipality,
        year=report.year,
        final_accounting=report.final_accounting,
        explanation=report.explanation,
    )
    meta = report_meta(report)
    _set_progress(report, ReportStatus.RUNNING, _("Rendering the PDF"))
    pdf = render_report_pdf(data, meta)
    _set_progress(report, ReportStatus.RUNNING, _("Writing the spreadsheet"))
    xlsx = render_xlsx(data, meta)
    _set_progress(report, ReportStatus.RUNNING, _("Storing the files"))
    stored: list[str] = []
    try:
        with transaction.atomic():
            locked = AccountabilityReport.objects.select_for_update().get(pk=report.pk)
            if locked.status == ReportStatus.DONE:
                return None
            # Names carry the report's identifier, never anything a user typed.
            locked.pdf.save(f"{report.identifier}.pdf", ContentFile(pdf), save=False)
            stored.append(locked.pdf.name)
            locked.xlsx.save(f"{report.identifier}.xlsx", ContentFile(xlsx), save=False)
            stored.append(locked.xlsx.name)
            locked.pdf_sha256 = _checksum(pdf)
            locked.xlsx_sha256 = _checksum(xlsx)
            locked.data_version = data.data_version
            locked.status = ReportStatus.DONE
            locked.progress = ""
            locked.failure_reason = ""
            locked.finished_at = timezone.now()
            locked.save()
    except Exception:
        for name in stored:
            default_storage.delete(name)
        raise
    return locked


def requeue_for_retry(*, report_id: int) -> None:
    """Between two tries the report waits again (it is no longer being worked on)."""
    AccountabilityReport.objects.filter(pk=report_id, status=ReportStatus.RUNNING).update(
        status=ReportStatus.QUEUED, progress=""
    )


def record_failure(*, report_id: int, reason: str) -> None:
    """The last try failed: say why, and keep no files."""
    AccountabilityReport.objects.filter(pk=report_id).exclude(status=ReportStatus.DONE).update(
        status=ReportStatus.FAILED, failure_reason=reason[:2000], finished_at=timezone.now()
    )


def default_function(user: User) -> str:
    """What the signature block says of the signatory's function unless they say otherwise."""
    if user.municipality_id:
        return f"{user.get_role_display()}, {_('municipality')} {user.municipality.name}"
    return user.get_role_display()


def finalising_blocker(*, report: AccountabilityReport) -> str:
    """Why the report cannot be marked final because of its year's SiSa configuration, or ""."""
    sisa = SisaYear.objects.filter(year=report.year).first()
    if sisa is None:
        return _("No SiSa configuration exists for %(year)s.") % {"year": report.year}
    if not sisa.allows_final_reports:
        return _(
            "The uitkeringscode and indicator numbers of SiSa %(year)s are not confirmed. The "
            "functional administrator confirms them against the ministry's annex, or records "
            "the reason to finalise without confirmation."
        ) % {"year": report.year}
    return ""


@transaction.atomic
def mark_final(
    *, report: AccountabilityReport, user: User, function: str = ""
) -> AccountabilityReport:
    """Make a finished report the year's final one ("definitief"), signed by `user` in the
    PDF's signature block, and close the year for changes to its expenditures. Refused while
    the year's SiSa code is unconfirmed (and not overridden) and when the figures changed
    since the version was built."""
    report = (
        AccountabilityReport.objects.select_for_update()
        .select_related("municipality")
        .get(pk=report.pk)
    )
    refuse_if_closed(report.municipality)
    if report.status != ReportStatus.DONE:
        raise ValidationError(_("Only a finished report can be marked final."))
    if report.is_final:
        return report
    blocker = finalising_blocker(report=report)
    if blocker:
        raise ValidationError(blocker)
    if AccountabilityReport.objects.filter(
        municipality=report.municipality, year=report.year, is_final=True, reopened_at=None
    ).exists():
        raise ValidationError(_("Another version of this year's report is already final."))
    newer = AccountabilityReport.objects.filter(
        municipality=report.municipality, year=report.year, version__gt=report.version
    ).exists()
    if newer:
        raise ValidationError(_("Only the latest version can be marked final."))
    option = final_accounting_option(municipality=report.municipality, year=report.year)
    if report.final_accounting and not option.allowed:
        raise ValidationError(option.reason)
    report.is_final = True
    report.finalised_by = user
    report.finalised_at = timezone.now()
    report.signatory_name = user.get_full_name() or user.username
    report.signatory_function = function.strip() or default_function(user)
    _sign(report)
    report.save(
        update_fields=[
            "is_final",
            "finalised_by",
            "finalised_at",
            "signatory_name",
            "signatory_function",
            "pdf",
            "pdf_sha256",
        ]
    )
    finance_services.close_year(
        municipality=report.municipality,
        year=report.year,
        user=user,
        note=_("Accountability report %(identifier)s is final.")
        % {"identifier": report.identifier},
    )
    return report


def _sign(report: AccountabilityReport) -> None:
    """Render the final PDF, the same figures with the signature block filled; the figures
    must be those the version was built with."""
    data = report_data(
        municipality=report.municipality,
        year=report.year,
        final_accounting=report.final_accounting,
        explanation=report.explanation,
    )
    if report.data_version and data.data_version != report.data_version:
        raise ValidationError(
            _(
                "The figures changed since version %(version)s was built. Build a new version "
                "and mark that one final."
            )
            % {"version": report.version}
        )
    pdf = render_report_pdf(data, report_meta(report))
    old_name = report.pdf.name
    report.pdf.save(f"{report.identifier}.pdf", ContentFile(pdf), save=False)
    report.pdf_sha256 = _checksum(pdf)
    if old_name and old_name != report.pdf.name:
        transaction.on_commit(lambda: default_storage.delete(old_name))


def report_meta(report: AccountabilityReport) -> ReportMeta:
    """What the cover and footer of `report` say: identifier, version, dates, signature."""
    return ReportMeta(
        identifier=report.identifier,
        version=str(report.version),
        date=timezone.localdate(report.created_at),
        is_final=report.is_final,
        signatory_name=report.signatory_name,
        signatory_function=report.signatory_function,
        signed_on=timezone.localdate(report.finalised_at) if report.finalised_at else None,
    )


@transaction.atomic
def reopen(*, report: AccountabilityReport, user: User, reason: str) -> YearReopening:
    """The functional administrator reopens the year of a final report, with the reason; the
    final version stays as it is and a new version may follow."""
    report = AccountabilityReport.objects.select_for_update().get(pk=report.pk)
    refuse_if_closed(report.municipality)
    if not report.blocks_new_versions:
        raise ValidationError(_("Only the year of a final report can be reopened."))
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for reopening the year.")})
    finance_services.reopen_year(
        municipality=report.municipality, year=report.year, user=user, reason=reason
    )
    reopening = YearReopening.objects.create(
        municipality=report.municipality,
        year=report.year,
        final_report=report,
        reason=reason,
        by=user,
    )
    # The final version stays final with its file; it no longer blocks a new version.
    report.reopened_at = reopening.at
    report.save(update_fields=["reopened_at"])
    return reopening


def year_is_closed(*, municipality: Municipality, year: int) -> bool:
    return YearClosing.objects.filter(municipality=municipality, year=year).exists()
