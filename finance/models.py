import datetime
import uuid

from django.conf import settings
from django.db import models, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Municipality
from accounts.scoping import ScopedQuerySet
from npo_portal.jobs import Job, job_status


class PaymentScheduleEntry(models.Model):
    """One payment of the programme's schedule: due in a month, a share of the allocation.

    The schedule is data (loaded by migration): 24 monthly parts for Aug 2021-Jul 2023, the
    first (5/24) in December 2021, then 1/24 each month until July 2023.
    """

    programme = models.ForeignKey(
        "plans.Programme",
        on_delete=models.CASCADE,
        related_name="payment_schedule",
        verbose_name=_("programme"),
    )
    due_month = models.DateField(_("paid in (first day of the month)"))
    covers_from = models.DateField(_("covers from"))
    covers_until = models.DateField(_("covers until"))
    parts = models.PositiveSmallIntegerField(_("parts"))
    total_parts = models.PositiveSmallIntegerField(_("out of parts"))

    class Meta:
        verbose_name = _("scheduled payment")
        verbose_name_plural = _("payment schedule")
        ordering = ["programme", "due_month"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "due_month"], name="schedule_one_payment_per_month"
            ),
            models.CheckConstraint(
                condition=Q(parts__gte=1, total_parts__gte=F("parts")), name="schedule_share_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.due_month:%m-%Y} {self.parts}/{self.total_parts}"


class PaymentQuerySet(ScopedQuerySet):
    municipality_path = "municipality"


class Payment(models.Model):
    """A payment of the grant received by the municipality, as recorded by finance staff."""

    programme = models.ForeignKey(
        "plans.Programme", on_delete=models.PROTECT, related_name="+", verbose_name=_("programme")
    )
    municipality = models.ForeignKey(
        "accounts.Municipality",
        on_delete=models.PROTECT,
        related_name="grant_payments",
        verbose_name=_("municipality"),
    )
    date = models.DateField(_("date received"))
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = PaymentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("payment received")
        verbose_name_plural = _("payments received")
        ordering = ["municipality", "date", "id"]
        indexes = [models.Index(fields=["municipality", "date"], name="payment_municipality_date")]

    def __str__(self) -> str:
        return f"{self.municipality} {self.date} {self.amount}"


class Eligibility(models.TextChoices):
    """Why an expenditure is or is not charged to the grant (computed in the query)."""

    ELIGIBLE = "ok", _("Charged to the grant")
    BEFORE_PERIOD = "voor", _("Before the spending period")
    AFTER_PERIOD = "na", _("After the spending period")
    GOAL_NOT_ALLOWED = "doel", _("Goal or category not allowed for this programme")


# Computed in the query rather than stored: the period is data that changed once already
# (Stcrt. 2022, 27531), and a stored flag would go stale at the next amendment.
ELIGIBLE = Q(
    date__gte=F("programme__start"),
    date__lte=F("programme__end"),
    goal__programme=F("programme"),
)


class ExpenditureQuerySet(ScopedQuerySet):
    municipality_path = "municipality"

    def eligible(self):
        """Inside the programme's period (both ends included) and on one of its goals."""
        return self.filter(ELIGIBLE)

    def ineligible(self):
        return self.exclude(ELIGIBLE)

    def with_eligibility(self):
        """Annotate `eligibility` with an `Eligibility` value, the first reason that applies."""
        return self.annotate(
            eligibility=Case(
                When(date__lt=F("programme__start"), then=Value(Eligibility.BEFORE_PERIOD)),
                When(date__gt=F("programme__end"), then=Value(Eligibility.AFTER_PERIOD)),
                When(~Q(goal__programme=F("programme")), then=Value(Eligibility.GOAL_NOT_ALLOWED)),
                default=Value(Eligibility.ELIGIBLE),
                output_field=models.CharField(),
            )
        )


class Expenditure(models.Model):
    """Money the municipality spent (or got back, when negative) under the programme."""

    programme = models.ForeignKey(
        "plans.Programme", on_delete=models.PROTECT, related_name="+", verbose_name=_("programme")
    )
    municipality = models.ForeignKey(
        "accounts.Municipality",
        on_delete=models.PROTECT,
        related_name="expenditures",
        verbose_name=_("municipality"),
    )
    date = models.DateField(_("date"))
    amount = models.DecimalField(
        _("amount"),
        max_digits=14,
        decimal_places=2,
        help_text=_("Negative for a credit note or a correction."),
    )
    goal = models.ForeignKey(
        "plans.SpendingGoal",
        on_delete=models.PROTECT,
        related_name="expenditures",
        verbose_name=_("spending goal or category"),
    )
    intervention = models.ForeignKey(
        "plans.Intervention",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="expenditures",
        verbose_name=_("intervention"),
    )
    description = models.CharField(_("description"), max_length=300)
    supplier = models.CharField(_("supplier"), max_length=200, blank=True)
    invoice_number = models.CharField(_("invoice number"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    duplicate_key = models.CharField(
        _("duplicate key"),
        max_length=64,
        editable=False,
        help_text=_(
            "SHA-256 of municipality, date, amount, goal, invoice number, supplier and "
            "description; the same expenditure cannot be recorded twice."
        ),
    )

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    # The booking's key in the municipality's own financial system, sent through the API:
    # a retried push with the same reference records nothing twice. NULL, not "", when absent:
    # the uniqueness per municipality holds only among the references given.
    extern_id = models.CharField(  # noqa: DJ001
        _("external reference"),
        max_length=100,
        null=True,
        blank=True,
        editable=False,
        help_text=_("The booking's reference in the municipality's own financial system."),
    )

    objects = ExpenditureQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("expenditure")
        verbose_name_plural = _("expenditures")
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "duplicate_key"], name="expenditure_recorded_once"
            ),
            models.UniqueConstraint(
                fields=["municipality", "extern_id"], name="expenditure_extern_id_once"
            ),
        ]
        indexes = [
            # The list's keyset ordering and the totals' date range per municipality.
            models.Index(fields=["municipality", "-date", "-id"], name="expenditure_mun_date_id"),
            models.Index(
                fields=["municipality", "goal", "-date"], name="expenditure_mun_goal_date"
            ),
            models.Index(
                fields=["municipality", "intervention", "-date"], name="expenditure_mun_int_date"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.amount} {self.description}"

    @property
    def eligibility_label(self) -> str:
        """Why it is (not) charged to the grant, on rows annotated by `with_eligibility`."""
        return Eligibility(self.eligibility).label


class YearClosingQuerySet(ScopedQuerySet):
    municipality_path = "municipality"


class YearClosing(models.Model):
    """A year whose accountability report is final: its expenditures are frozen."""

    municipality = models.ForeignKey(
        "accounts.Municipality",
        on_delete=models.PROTECT,
        related_name="year_closings",
        verbose_name=_("municipality"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    closed_at = models.DateTimeField(_("closed at"), default=timezone.now)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    note = models.TextField(_("note"), blank=True)

    objects = YearClosingQuerySet.as_manager()

    class Meta:
        verbose_name = _("closed year")
        verbose_name_plural = _("closed years")
        ordering = ["municipality", "year"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "year"], name="year_closed_once")
        ]

    def __str__(self) -> str:
        return f"{self.municipality} {self.year}"


# The statuses of every background job (npo_portal.jobs), and an import's own outcome.
ImportStatus = job_status(
    "ImportStatus", __name__, REJECTED=("geweigerd", _("Rejected, nothing imported"))
)


def upload_path(instance, file_name: str) -> str:
    """A random name: the user's file name is kept only as text, never as a path."""
    return f"imports/{uuid.uuid4().hex}.upload"


class ExpenditureImportQuerySet(ScopedQuerySet):
    municipality_path = "municipality"


class ExpenditureImport(Job, models.Model):
    """An uploaded expenditure file, imported in the background by a Celery task.

    The file waits in the default storage under imports/ (MEDIA_ROOT or the S3 bucket, shared
    by the web and import workers, never served) with a random name until the import has run,
    then is deleted; name, size and SHA-256 remain. It is streamed to storage and read from
    there in chunks, so neither the web process nor the worker holds the file in memory.
    """

    municipality = models.ForeignKey(
        "accounts.Municipality",
        on_delete=models.PROTECT,
        related_name="expenditure_imports",
        verbose_name=_("municipality"),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    file_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    upload = models.FileField(
        _("uploaded file"), upload_to=upload_path, blank=True, editable=False, max_length=200
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    created_count = models.PositiveIntegerField(_("expenditures imported"), default=0)
    outside_period_count = models.PositiveIntegerField(_("outside the period"), default=0)
    duplicate_count = models.PositiveIntegerField(_("duplicates skipped"), default=0)
    problem_count = models.PositiveIntegerField(_("rows with problems"), default=0)
    messages = models.JSONField(_("messages"), default=list, blank=True)

    objects = ExpenditureImportQuerySet.as_manager()

    # For the sweeper (npo_portal.jobs.sweep). An import's waiting and running have their
    # own timeout, after which its finance officer may also abort it
    # (finance.services.fail_stuck_imports, registered with the sweeper in finance.apps).
    job_kind = "expenditure-import"
    orphaned_message = _(
        "Marked failed automatically on %(time)s: the worker importing this file "
        "stopped (it was restarted or ran out of memory). Nothing of this file has "
        "been imported; upload it again."
    )

    class Meta:
        verbose_name = _("expenditure import")
        verbose_name_plural = _("expenditure imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.municipality} {self.file_name} {self.status}"

    @property
    def is_pending(self) -> bool:
        return self.status in (ImportStatus.QUEUED, ImportStatus.RUNNING)

    def end_as_failed(self, reason: str, now: datetime.datetime) -> None:
        """The reason is the import's message, and its upload is deleted with the outcome
        (the row is locked by the caller)."""
        name, storage = self.upload.name, self.upload.storage
        self.status = ImportStatus.FAILED
        self.finished_at = now
        self.upload = ""
        self.messages = [reason]
        self.save(update_fields=["status", "finished_at", "upload", "messages"])
        if name:
            transaction.on_commit(lambda: storage.delete(name))

    @property
    def stale_at(self) -> datetime.datetime:
        """From when a pending import counts as stuck: the timeout after it was queued, or
        after it started running."""
        since = self.started_at or self.created_at
        return since + datetime.timedelta(minutes=settings.EXPENDITURE_IMPORT_TIMEOUT_MINUTES)

    @property
    def is_stale(self) -> bool:
        return self.is_pending and timezone.now() >= self.stale_at


class MunicipalMerger(Municipality):
    """The municipalities register seen from the merger the functional administrator
    performs in the admin (`finance.mergers`)."""

    class Meta:
        proxy = True
        verbose_name = _("municipal merger")
        verbose_name_plural = _("municipal mergers")


class SpendingSummary(models.Model):
    """The expenditures added up per municipality, month, goal and intervention.

    Derived data, never edited by hand: the services that write expenditures add their sums
    to it (or recompute the months they touched) in the same transaction, see
    `finance.summary`, and `finance_totals` reads it instead of every expenditure. One row
    per group, so an addition finds the row it adds to. Eligibility is not stored (see ELIGIBLE): the programme's
    period is applied when reading.
    """

    programme = models.ForeignKey("plans.Programme", on_delete=models.CASCADE, related_name="+")
    municipality = models.ForeignKey(
        "accounts.Municipality", on_delete=models.CASCADE, related_name="+"
    )
    month = models.DateField(_("month (first day)"))
    goal = models.ForeignKey("plans.SpendingGoal", on_delete=models.CASCADE, related_name="+")
    intervention = models.ForeignKey(
        "plans.Intervention", on_delete=models.CASCADE, null=True, related_name="+"
    )
    # The sum of up to millions of 14-digit amounts.
    total = models.DecimalField(_("total"), max_digits=20, decimal_places=2)
    count = models.PositiveIntegerField(_("number of expenditures"))

    class Meta:
        verbose_name = _("spending summary")
        verbose_name_plural = _("spending summary")
        indexes = [
            models.Index(fields=["municipality", "programme", "month"], name="summary_mun_month")
        ]
        constraints = [
            # Named by finance.summary.ONE_ROW_PER_GROUP. "No intervention" is one group, so
            # NULLs are not distinct (PostgreSQL 15; SQLite goes without the constraint).
            models.UniqueConstraint(
                fields=["municipality", "programme", "month", "goal", "intervention"],
                name="summary_one_row_per_group",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        return f"{self.municipality_id} {self.month:%m-%Y} {self.goal_id} {self.total}"
