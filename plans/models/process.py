"""How a plan came about and whom it reaches: its transitions (adopted, amended), its
stored versions, the consultations held and the schools it reaches."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.scoping import ScopedQuerySet
from plans.models.plan import (
    Intervention,
    Plan,
    PlanStatus,
)


class TransitionKind(models.TextChoices):
    STATUS = "status", _("Status change")
    REVISION = "herziening", _("Revision started")
    COUNCIL_INFORMED = "raad", _("Council informed")


class PlanTransitionQuerySet(ScopedQuerySet):
    municipality_path = "plan__municipality"


class PlanTransition(models.Model):
    """One step in the plan's decision history: who moved it from which status to which, when."""

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="transitions", verbose_name=_("plan")
    )
    kind = models.CharField(
        _("kind"), max_length=12, choices=TransitionKind.choices, default=TransitionKind.STATUS
    )
    from_status = models.CharField(_("from status"), max_length=15, choices=PlanStatus.choices)
    to_status = models.CharField(_("to status"), max_length=15, choices=PlanStatus.choices)
    by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        related_name="plan_transitions",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    decided_on = models.DateField(_("decision date"), null=True, blank=True)
    decision_reference = models.CharField(_("decision reference"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)

    objects = PlanTransitionQuerySet.as_manager()

    class Meta:
        verbose_name = _("plan transition")
        verbose_name_plural = _("plan transitions")
        ordering = ["plan", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.plan} {self.from_status} → {self.to_status}"


class PlanVersionQuerySet(ScopedQuerySet):
    municipality_path = "plan__municipality"


class PlanVersion(models.Model):
    """The plan as the college adopted it, kept readable while a revision is drafted."""

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="versions", verbose_name=_("plan")
    )
    number = models.PositiveSmallIntegerField(_("version"))
    adopted_on = models.DateField(_("adopted on"))
    decision_reference = models.CharField(_("decision reference"), max_length=200)
    snapshot = models.JSONField(_("snapshot"))
    created_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        related_name="plan_versions",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = PlanVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_version_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.plan} v{self.number}"


class ConsultationBody(models.TextChoices):
    LEA = "lea", _("Lokale Educatieve Agenda (LEA)")
    SAMENWERKINGSVERBAND = "samenwerkingsverband", _("Samenwerkingsverband")
    SCHOOL_BOARDS = "schoolbesturen", _("School boards")
    CHILDCARE = "kinderopvang", _("Childcare (kinderopvang)")
    PARTNERS = "partners", _("Partners")
    COUNCIL = "gemeenteraad", _("Municipal council")
    OTHER = "anders", _("Other")


class ConsultationQuerySet(ScopedQuerySet):
    municipality_path = "plan__municipality"


class ConsultationMoment(models.Model):
    """A meeting in which the plan was discussed with schools, partners or the council."""

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="consultations", verbose_name=_("plan")
    )
    date = models.DateField(_("date"))
    body = models.CharField(_("body"), max_length=25, choices=ConsultationBody.choices)
    participants = models.CharField(_("participants"), max_length=300, blank=True)
    summary = models.TextField(_("summary"))

    objects = ConsultationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("consultation moment")
        verbose_name_plural = _("consultation moments")
        ordering = ["plan", "-date", "-pk"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_body_display()}"


class SchoolReachQuerySet(ScopedQuerySet):
    municipality_path = "intervention__plan__municipality"


class SchoolReach(models.Model):
    """How many children an intervention plans to reach at one of its schools, and how many
    it reports having reached there; the golden thread shares its spending by the plan."""

    intervention = models.ForeignKey(
        Intervention,
        on_delete=models.CASCADE,
        related_name="school_reach",
        verbose_name=_("intervention"),
    )
    school = models.ForeignKey(
        "schools.School", on_delete=models.CASCADE, related_name="+", verbose_name=_("school")
    )
    planned = models.PositiveIntegerField(_("planned reach (children)"), null=True, blank=True)
    reported = models.PositiveIntegerField(_("reported reach (children)"), null=True, blank=True)

    objects = SchoolReachQuerySet.as_manager()

    class Meta:
        verbose_name = _("reach at a school")
        verbose_name_plural = _("reach per school")
        ordering = ["intervention", "school__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["intervention", "school"], name="school_reach_once_per_school"
            )
        ]

    def __str__(self) -> str:
        return f"{self.intervention.code} · {self.school}"
