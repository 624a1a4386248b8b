from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.scoping import ScopedQuerySet
from npo_portal.jobs import Job, JobStatus


class SisaYear(models.Model):
    """The SiSa annex row of the grant for one reporting year, as the ministry publishes it.

    Codes and indicator numbers are set per year by BZK; they are data, never code.
    """

    year = models.PositiveSmallIntegerField(_("reporting year"), unique=True)
    provider = models.CharField(_("verstrekker"), max_length=20, default="OCW")
    grant_code = models.CharField(_("uitkeringscode"), max_length=20)
    grant_code_confirmed = models.BooleanField(
        _("code confirmed"),
        default=False,
        help_text=_(
            "Tick once the uitkeringscode and the indicator numbers are checked against the "
            "SiSa annex the ministry published for this year."
        ),
    )
    override_reason = models.TextField(
        _("reason to finalise without confirmation"),
        blank=True,
        help_text=_(
            "Until the code is confirmed no report over this year can be marked final, "
            "unless a reason is given here (for example: the annex is not yet published)."
        ),
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed or overridden by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed or overridden at"), null=True, blank=True)
    grant_name = models.CharField(_("name of the grant"), max_length=300)
    legal_basis = models.CharField(_("juridische grondslag"), max_length=300)
    recipient = models.CharField(_("ontvanger"), max_length=50, default="Gemeenten")
    annex_version = models.CharField(
        _("version of the annex"), max_length=50, blank=True, help_text=_("e.g. d.d. 7-2-2023")
    )

    class Meta:
        verbose_name = _("SiSa year")
        verbose_name_plural = _("SiSa years")
        ordering = ["year"]

    def __str__(self) -> str:
        return f"SiSa {self.year} {self.provider} {self.grant_code}"

    @property
    def allows_final_reports(self) -> bool:
        """A report over the year becomes final only with a confirmed code, or an override
        with its reason."""
        return self.grant_code_confirmed or bool(self.override_reason.strip())


class IndicatorKind(models.TextChoices):
    SPENDING_YEAR = "besteding_jaar", _("Spending in year T charged to the grant")
    SPENDING_YEAR_GOAL = "besteding_doel", _("Spending in year T per spending goal")
    SPENDING_CUMULATIVE = "besteding_cumulatief", _("Cumulative spending up to year T")
    FINAL_ACCOUNTING = "eindverantwoording", _("Final accounting (yes/no)")
    EXPLANATION = "toelichting", _("Explanation")


class AuditKind(models.TextChoices):
    R = "R", "R"
    D1 = "D1", "D1"
    D2 = "D2", "D2"
    NOT_APPLICABLE = "nvt", _("n.a.")


class SisaIndicator(models.Model):
    """One indicator of a year's annex row: its number, text and kind of audit."""

    sisa_year = models.ForeignKey(
        SisaYear, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("SiSa year")
    )
    number = models.CharField(_("number"), max_length=20, help_text=_("e.g. H4/01"))
    order = models.PositiveSmallIntegerField(_("order"))
    kind = models.CharField(_("kind"), max_length=25, choices=IndicatorKind.choices)
    goal = models.ForeignKey(
        "plans.SpendingGoal",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("spending goal or category"),
    )
    text = models.CharField(_("text"), max_length=300)
    audit = models.CharField(_("aard controle"), max_length=3, choices=AuditKind.choices)

    class Meta:
        verbose_name = _("SiSa indicator")
        verbose_name_plural = _("SiSa indicators")
        ordering = ["sisa_year", "order"]
        constraints = [
            models.UniqueConstraint(fields=["sisa_year", "number"], name="indicator_number_unique"),
            models.CheckConstraint(
                condition=Q(kind="besteding_doel", goal__isnull=False)
                | (~Q(kind="besteding_doel") & Q(goal__isnull=True)),
                name="indicator_goal_iff_per_goal",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.text}"


class ReportBatchQuerySet(models.QuerySet):
    def for_user(self, user):
        """Batches are the functional administrator's alone."""
        if user.is_authenticated and user.is_active and user.is_functional_admin:
            return self.all()
        return self.none()


class ReportBatch(models.Model):
    """All municipalities' reports of one year, started together by the functional
    administrator and built as a group of tasks."""

    year = models.PositiveSmallIntegerField(_("year"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    created_at = models.DateTimeField(_("started at"), default=timezone.now)

    objects = ReportBatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("report batch")
        verbose_name_plural = _("report batches")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.year} #{self.pk}"


# A report is a background job like any other (npo_portal.jobs).
ReportStatus = JobStatus


class ReportQuerySet(ScopedQuerySet):
    municipality_path = "municipality"


class AccountabilityReport(Job, models.Model):
    """One version of a municipality's accountability report over one year, built in the
    background into a PDF and a spreadsheet that stay downloadable."""

    # For the sweeper (npo_portal.jobs.sweep); the batch page offers to queue it again.
    job_kind = "report"
    orphaned_message = _(
        "Marked failed automatically on %(time)s: the worker building this report "
        "stopped (it was restarted or ran out of memory). No file was kept; queue "
        "the report again."
    )
    waited_message = _(
        "Marked failed automatically on %(time)s: no worker started this report "
        "within %(minutes)s minutes. Queue it again; if this keeps happening, tell the "
        "functional administrator that no worker is running."
    )
    queue_timeout_setting = "REPORT_QUEUE_TIMEOUT_MINUTES"

    municipality = models.ForeignKey(
        "accounts.Municipality",
        on_delete=models.PROTECT,
        related_name="accountability_reports",
        verbose_name=_("municipality"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    version = models.PositiveSmallIntegerField(_("version"))
    batch = models.ForeignKey(
        ReportBatch,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("batch"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.QUEUED
    )
    progress = models.CharField(_("progress step"), max_length=100, blank=True)
    failure_reason = models.TextField(_("failure reason"), blank=True)
    task_id = models.CharField(_("task id"), max_length=50, blank=True)
    explanation = models.TextField(_("explanation"), blank=True)
    final_accounting = models.BooleanField(
        _("eindverantwoording"),
        default=False,
        help_text=_("The municipality files its final accounting over this year."),
    )
    pdf = models.FileField(_("PDF"), upload_to="reports/pdf/", blank=True)
    pdf_sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64, blank=True)
    xlsx = models.FileField(_("spreadsheet"), upload_to="reports/xlsx/", blank=True)
    xlsx_sha256 = models.CharField(_("SHA-256 of the spreadsheet"), max_length=64, blank=True)
    data_version = models.CharField(_("data version"), max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    is_final = models.BooleanField(_("final"), default=False)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("marked final by"),
    )
    finalised_at = models.DateTimeField(_("marked final at"), null=True, blank=True)
    # The signature block as it was filled when the report was marked final.
    signatory_name = models.CharField(_("signed by"), max_length=200, blank=True)
    signatory_function = models.CharField(
        _("function of the signatory"), max_length=200, blank=True
    )
    reopened_at = models.DateTimeField(
        _("year reopened at"),
        null=True,
        blank=True,
        help_text=_("A final report stays final; after a reopening a new version may follow."),
    )

    objects = ReportQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("accountability report")
        verbose_name_plural = _("accountability reports")
        ordering = ["municipality", "-year", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "year", "version"], name="report_version_unique"
            ),
            models.UniqueConstraint(
                fields=["municipality", "year"],
                condition=Q(is_final=True, reopened_at__isnull=True),
                name="report_one_final_per_year",
            ),
            # A municipality files one eindverantwoording (see services.final_accounting_option).
            models.UniqueConstraint(
                fields=["municipality"],
                condition=Q(is_final=True, final_accounting=True, reopened_at__isnull=True),
                name="report_one_final_accounting",
            ),
        ]

    def __str__(self) -> str:
        return self.identifier

    @property
    def identifier(self) -> str:
        """How the report is cited: municipality, year and version."""
        return f"NPO-{self.municipality.code}-{self.year}-v{self.version}"

    @property
    def blocks_new_versions(self) -> bool:
        return self.is_final and self.reopened_at is None

    @property
    def is_pending(self) -> bool:
        return self.status in (ReportStatus.QUEUED, ReportStatus.RUNNING)

    @property
    def percent(self) -> int:
        return {
            ReportStatus.QUEUED: 5,
            ReportStatus.RUNNING: 50,
            ReportStatus.DONE: 100,
            ReportStatus.FAILED: 100,
        }[self.status]


class ReopeningQuerySet(ScopedQuerySet):
    municipality_path = "municipality"


class YearReopening(models.Model):
    """The functional administrator's documented reopening of a year whose report was final;
    only after it may a new version follow."""

    municipality = models.ForeignKey(
        "accounts.Municipality",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("municipality"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    final_report = models.ForeignKey(
        AccountabilityReport,
        on_delete=models.PROTECT,
        related_name="reopenings",
        verbose_name=_("final report reopened"),
    )
    reason = models.TextField(_("reason"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    objects = ReopeningQuerySet.as_manager()

    class Meta:
        verbose_name = _("reopening")
        verbose_name_plural = _("reopenings")
        ordering = ["municipality", "year", "at"]

    def __str__(self) -> str:
        return f"{self.municipality} {self.year} {self.at:%Y-%m-%d}"
