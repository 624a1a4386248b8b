"""The archive package of a municipality's grant dossier, the retention of its record groups,
and the destruction lists that end them.

Retention is data, edited by the functional administrator in the admin: the category and the
period are the municipal archivist's call under the selectielijst the municipality applies
(Archiefwet), never law in code. The defaults loaded by migration 0002 say so.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.scoping import ScopedQuerySet
from npo_portal.jobs import Job, JobStatus


class RecordGroup(models.TextChoices):
    REPORTS = "verantwoording", _("Accountability reports")
    PLAN = "plan", _("Plan and its adopted versions")
    NEEDS = "behoeften", _("Needs rounds and answers")
    INTERVENTIONS = "interventies", _("Interventions")
    BUDGETS = "begrotingen", _("Budgets")
    EXPENDITURES = "bestedingen", _("Expenditures")
    PAYMENTS = "betalingen", _("Payments")
    ALLOCATIONS = "toekenningen", _("Allocations")
    SETTLEMENT = "vaststelling", _("Settlement and repayment")


class ArchiveAction(models.TextChoices):
    DESTROY = "vernietigen", _("Destroy")
    KEEP = "bewaren", _("Keep permanently (transfer)")


class RetentionRule(models.Model):
    """How long one record group of every municipality's dossier is kept after the
    settlement decision, and what happens then."""

    record_group = models.CharField(
        _("record group"), max_length=20, choices=RecordGroup.choices, unique=True
    )
    category = models.CharField(
        _("selectielijst category"),
        max_length=300,
        help_text=_(
            "The category of the selectielijst the municipality applies, as its archivist "
            "confirmed it."
        ),
    )
    category_code = models.CharField(_("category code"), max_length=30, blank=True)
    action = models.CharField(_("archive action"), max_length=12, choices=ArchiveAction.choices)
    years = models.PositiveSmallIntegerField(
        _("retention in years"),
        help_text=_("Counted from the date of the settlement decision (vaststelling)."),
    )
    confirmed_by_archivist = models.BooleanField(
        _("confirmed by the archivist"),
        default=False,
        help_text=_("Tick once the municipal archivist has confirmed category and period."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")
        ordering = ["record_group"]

    def __str__(self) -> str:
        return f"{self.get_record_group_display()}: {self.years} {_('years')}"

    def clean(self):
        super().clean()
        # The closing of a programme (settlement.Closure) refers to its settlement decision,
        # and a closed programme must stay closed: that decision is not destroyed here.
        if self.record_group == RecordGroup.SETTLEMENT and self.action == ArchiveAction.DESTROY:
            raise ValidationError(
                {
                    "action": _(
                        "The settlement decision is what the closing of the programme rests "
                        "on; the portal keeps it. Transfer it with the archive package."
                    )
                }
            )

    def action_date(self, settled_on: datetime.date) -> datetime.date:
        """The archive action date (archiefactiedatum): the settlement date plus the period."""
        try:
            return settled_on.replace(year=settled_on.year + self.years)
        except ValueError:  # 29 February
            return settled_on.replace(year=settled_on.year + self.years, day=28)


# A package is a background job like any other (npo_portal.jobs).
PackageStatus = JobStatus


class ArchivePackageQuerySet(ScopedQuerySet):
    municipality_path = "municipality"


class ArchivePackage(Job, models.Model):
    """One build of a municipality's archive package: a BagIt bag (RFC 8493), zipped and
    kept in the storage."""

    # For the sweeper (npo_portal.jobs.sweep); a package shares the reports' queue.
    job_kind = "archive-package"
    orphaned_message = _(
        "Marked failed automatically on %(time)s: the worker building this archive package "
        "stopped (it was restarted or ran out of memory). No file was kept; request the "
        "package again."
    )
    waited_message = _(
        "Marked failed automatically on %(time)s: no worker started this archive package "
        "within %(minutes)s minutes. Request it again; if this keeps happening, tell the "
        "functional administrator that no worker is running."
    )
    queue_timeout_setting = "REPORT_QUEUE_TIMEOUT_MINUTES"

    municipality = models.ForeignKey(
        "accounts.Municipality",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("municipality"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=PackageStatus.choices, default=PackageStatus.QUEUED
    )
    task_id = models.CharField(_("task id"), max_length=50, blank=True)
    failure_reason = models.TextField(_("failure reason"), blank=True)
    file = models.FileField(_("package"), upload_to="archive/", blank=True)
    sha256 = models.CharField(_("SHA-256 of the package"), max_length=64, blank=True)
    manifest_sha256 = models.CharField(
        _("SHA-256 of the bag's manifest"),
        max_length=64,
        blank=True,
        help_text=_("The same data gives the same manifest."),
    )
    files = models.PositiveIntegerField(_("files"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = ArchivePackageQuerySet.as_manager()

    class Meta:
        verbose_name = _("archive package")
        verbose_name_plural = _("archive packages")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.municipality.code} #{self.pk}"

    @property
    def is_pending(self) -> bool:
        return self.status in (PackageStatus.QUEUED, PackageStatus.RUNNING)


class DestructionStatus(models.TextChoices):
    PROPOSED = "voorgesteld", _("Proposed")
    APPROVED = "goedgekeurd", _("Approved")
    DESTROYED = "vernietigd", _("Destroyed")
    FAILED = "mislukt", _("Failed")
    WITHDRAWN = "ingetrokken", _("Withdrawn")


class DestructionListQuerySet(ScopedQuerySet):
    municipality_path = "municipality"


class DestructionList(models.Model):
    """The portal's proposal to destroy a municipality's record groups whose retention has
    run out; carried out only after the functional administrator and the municipality's
    archivist both approved it. Kept after the destruction as its log."""

    municipality = models.ForeignKey(
        "accounts.Municipality",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("municipality"),
    )
    # Kept as text too: the log must say whose records they were, whatever happens later.
    municipality_code = models.CharField(_("CBS code"), max_length=6)
    municipality_name = models.CharField(_("municipality name"), max_length=100)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=DestructionStatus.choices,
        default=DestructionStatus.PROPOSED,
    )
    proposed_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    settled_on = models.DateField(_("settlement date"))
    admin_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by the functional administrator"),
    )
    admin_approved_at = models.DateTimeField(
        _("administrator's approval at"), null=True, blank=True
    )
    archivist_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by the archivist"),
    )
    archivist_approved_at = models.DateTimeField(
        _("archivist's approval at"), null=True, blank=True
    )
    # Names as they were at the approval: an approver's account may be anonymised later.
    admin_approved_name = models.CharField(_("administrator"), max_length=200, blank=True)
    archivist_approved_name = models.CharField(_("archivist"), max_length=200, blank=True)
    task_id = models.CharField(_("task id"), max_length=50, blank=True)
    destroyed_at = models.DateTimeField(_("destroyed at"), null=True, blank=True)
    failure_reason = models.TextField(_("failure reason"), blank=True)

    objects = DestructionListQuerySet.as_manager()

    class Meta:
        verbose_name = _("destruction list")
        verbose_name_plural = _("destruction lists")
        ordering = ["-proposed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality"],
                condition=Q(status__in=["voorgesteld", "goedgekeurd"]),
                name="destruction_one_open_list",
            ),
            models.CheckConstraint(
                condition=Q(admin_approved_by__isnull=True)
                | Q(archivist_approved_by__isnull=True)
                | ~Q(admin_approved_by=models.F("archivist_approved_by")),
                name="destruction_two_different_approvers",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.municipality_code} {self.proposed_at:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.status == DestructionStatus.PROPOSED


class DestructionItem(models.Model):
    """One record group on a destruction list: what was proposed, and what was destroyed."""

    destruction_list = models.ForeignKey(
        DestructionList, on_delete=models.CASCADE, related_name="items"
    )
    record_group = models.CharField(_("record group"), max_length=20, choices=RecordGroup.choices)
    category = models.CharField(_("selectielijst category"), max_length=300)
    years = models.PositiveSmallIntegerField(_("retention in years"))
    action_date = models.DateField(_("archive action date"))
    records = models.PositiveIntegerField(_("records at the proposal"))
    destroyed_records = models.PositiveIntegerField(_("records destroyed"), null=True)
    destroyed_files = models.PositiveIntegerField(_("files destroyed"), null=True)

    class Meta:
        verbose_name = _("destruction list item")
        verbose_name_plural = _("destruction list items")
        ordering = ["destruction_list", "record_group"]
        constraints = [
            models.UniqueConstraint(
                fields=["destruction_list", "record_group"], name="destruction_item_once"
            )
        ]

    def __str__(self) -> str:
        return self.get_record_group_display()
