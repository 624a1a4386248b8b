"""A municipality's plan and its interventions with their budgets."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.scoping import ScopedQuerySet
from plans.models.programme import MenuItem, Programme, SpendingGoal


class PlanQuerySet(ScopedQuerySet):
    municipality_path = "municipality"


class PlanStatus(models.TextChoices):
    CONCEPT = "concept", _("Draft")
    CONSULTATION = "in_overleg", _("In consultation")
    ADOPTED = "vastgesteld", _("Adopted by the college")
    IN_PROGRESS = "in_uitvoering", _("In progress")
    CLOSED = "afgesloten", _("Closed")


class Plan(models.Model):
    """A municipality's plan for the programme: the living document its interventions hang on."""

    municipality = models.ForeignKey(
        "accounts.Municipality",
        on_delete=models.PROTECT,
        related_name="plans",
        verbose_name=_("municipality"),
    )
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="plans", verbose_name=_("programme")
    )
    title = models.CharField(_("title"), max_length=200)
    context = models.TextField(_("context and needs analysis"), blank=True)
    aims = models.TextField(_("aims"), blank=True)
    status = models.CharField(
        _("status"), max_length=15, choices=PlanStatus.choices, default=PlanStatus.CONCEPT
    )
    council_informed_on = models.DateField(_("council informed on"), null=True, blank=True)
    council_reference = models.CharField(
        _("council information letter (RIB)"), max_length=200, blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    objects = PlanQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "programme"], name="plan_one_per_municipality"
            )
        ]

    def __str__(self) -> str:
        return self.title


class TargetGroup(models.TextChoices):
    """Who an intervention is for. mbo and hbo are listed so that the refusal can say why."""

    VOORSCHOOL = "voorschool", _("Voorschoolse educatie")
    PO = "po", _("Primary education (po)")
    SO = "so", _("Special education (so)")
    VO = "vo", _("Secondary education (vo)")
    THUISZITTERS = "thuiszitters", _("Thuiszitters")
    MBO = "mbo", _("mbo students")
    HBO = "hbo", _("hbo students")


class Partner(models.TextChoices):
    KINDEROPVANG = "kinderopvang", _("Childcare (kinderopvang)")
    BIBLIOTHEEK = "bibliotheek", _("Library")
    GGD = "ggd", _("GGD / youth health care")
    JEUGDHULP = "jeugdhulp", _("Youth care (jeugdhulp)")
    SOCIAAL_WERK = "sociaal_werk", _("Social work")
    WELZIJN = "welzijn", _("Welfare")
    SPORT = "sport", _("Sport")
    CULTUUR = "cultuur", _("Culture")
    SAMENWERKINGSVERBAND = "samenwerkingsverband", _("Samenwerkingsverband")
    VERVOLGONDERWIJS = "vervolgonderwijs", _("Follow-on education (mbo/hbo/wo)")
    OTHER = "anders", _("Other")


class InterventionStatus(models.TextChoices):
    PLANNED = "gepland", _("Planned")
    RUNNING = "in_uitvoering", _("Running")
    FINISHED = "afgerond", _("Finished")
    STOPPED = "gestopt", _("Stopped")


class InterventionQuerySet(ScopedQuerySet):
    municipality_path = "plan__municipality"


class Intervention(models.Model):
    """A measure of the plan, charged to one spending goal or extra cost category."""

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="interventions", verbose_name=_("plan")
    )
    code = models.CharField(_("code"), max_length=20)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    goal = models.ForeignKey(
        SpendingGoal,
        on_delete=models.PROTECT,
        related_name="interventions",
        verbose_name=_("spending goal or category"),
    )
    menu_item = models.ForeignKey(
        MenuItem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="interventions",
        verbose_name=_("menu item"),
        help_text=_("Leave empty for a measure of the municipality's own."),
    )
    target_groups = models.JSONField(_("target groups"), default=list)
    partners = models.JSONField(_("partners"), default=list, blank=True)
    other_partners = models.CharField(_("other partners"), max_length=300, blank=True)
    schools = models.ManyToManyField(
        "schools.School", blank=True, related_name="interventions", verbose_name=_("schools")
    )
    school_boards = models.ManyToManyField(
        "accounts.SchoolBoard",
        blank=True,
        related_name="interventions",
        verbose_name=_("school boards"),
    )
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    planned_reach = models.PositiveIntegerField(
        _("planned reach (children)"), null=True, blank=True
    )
    status = models.CharField(
        _("status"),
        max_length=15,
        choices=InterventionStatus.choices,
        default=InterventionStatus.PLANNED,
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    objects = InterventionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("intervention")
        verbose_name_plural = _("interventions")
        ordering = ["plan", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "code"], name="intervention_code_unique_in_plan"
            ),
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")), name="intervention_period_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class BudgetQuerySet(ScopedQuerySet):
    municipality_path = "intervention__plan__municipality"


class InterventionBudget(models.Model):
    """The amount an intervention budgets for one calendar year."""

    intervention = models.ForeignKey(
        Intervention,
        on_delete=models.CASCADE,
        related_name="budgets",
        verbose_name=_("intervention"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)

    objects = BudgetQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("budget per year")
        verbose_name_plural = _("budgets per year")
        ordering = ["intervention", "year"]
        constraints = [
            models.UniqueConstraint(fields=["intervention", "year"], name="budget_one_per_year"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="budget_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.intervention.code} {self.year}"
