from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.scoping import ScopedQuerySet


class Programme(models.Model):
    """The grant's programme and its spending period, which has been amended before."""

    slug = models.SlugField(_("code"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)
    start = models.DateField(_("first day of the spending period"))
    end = models.DateField(_("last day of the spending period"))
    rate_per_pupil = models.DecimalField(
        _("amount per pupil"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    rate_per_achterstandspunt = models.DecimalField(
        _("amount per achterstandspunt"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    # Required in the admin; nullable so that the programme row can be loaded before its
    # window (data migration 0008 fills it).
    final_accounting_first_year = models.PositiveSmallIntegerField(
        _("first reporting year of the final accounting"),
        null=True,
        help_text=_(
            "The first jaarrekening in which a municipality may file its eindverantwoording."
        ),
    )
    final_accounting_last_year = models.PositiveSmallIntegerField(
        _("last reporting year of the final accounting"),
        null=True,
        help_text=_("The report over this year is always the eindverantwoording."),
    )

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")), name="programme_period_ordered"
            ),
            models.CheckConstraint(
                condition=Q(
                    final_accounting_last_year__gte=models.F("final_accounting_first_year")
                ),
                name="programme_final_accounting_window_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def covers(self, day) -> bool:
        """Whether `day` lies in the spending period, both ends included."""
        return self.start <= day <= self.end

    @property
    def final_accounting_years(self) -> range:
        """The reporting years over which the eindverantwoording may be filed, both ends
        included (Stcrt. 2022, 27531: 2023 up to and including 2026); none while unset."""
        if self.final_accounting_first_year is None or self.final_accounting_last_year is None:
            return range(0)
        return range(self.final_accounting_first_year, self.final_accounting_last_year + 1)


class ProgrammeAmendment(models.Model):
    """A change of the spending period, kept as history (e.g. Stcrt. 2022, 27531)."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="amendments", verbose_name=_("programme")
    )
    reference = models.CharField(_("publication"), max_length=200)
    decided_on = models.DateField(_("decided on"))
    in_force_from = models.DateField(_("in force from"))
    previous_end = models.DateField(_("previous last day"))
    new_end = models.DateField(_("new last day"))
    summary = models.TextField(_("summary"), blank=True)

    class Meta:
        verbose_name = _("programme amendment")
        verbose_name_plural = _("programme amendments")
        ordering = ["programme", "in_force_from"]

    def __str__(self) -> str:
        return self.reference


class GoalKind(models.TextChoices):
    GOAL = "doel", _("Spending goal")
    EXTRA_CATEGORY = "extra", _("Extra cost category")


class SpendingGoal(models.Model):
    """One of the five spending goals or one of the two extra cost categories."""

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="goals", verbose_name=_("programme")
    )
    code = models.SlugField(_("code"), max_length=30, unique=True)
    number = models.PositiveSmallIntegerField(
        _("number"), null=True, blank=True, help_text=_("1-5 for the spending goals.")
    )
    kind = models.CharField(_("kind"), max_length=5, choices=GoalKind.choices)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("spending goal or category")
        verbose_name_plural = _("spending goals and categories")
        ordering = ["order"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="doel", number__isnull=False)
                | Q(kind="extra", number__isnull=True),
                name="spending_goal_numbered_iff_goal",
            ),
            models.UniqueConstraint(
                fields=["programme", "number"], name="spending_goal_number_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.name}" if self.number else str(self.name)


class MenuArea(models.Model):
    """A doelgebied (A-F) of the national intervention menu."""

    letter = models.CharField(_("letter"), max_length=1, unique=True)
    name = models.CharField(_("name"), max_length=200)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("menu area")
        verbose_name_plural = _("menu areas")
        ordering = ["letter"]

    def __str__(self) -> str:
        return f"{self.letter}. {self.name}"


class MenuItemQuerySet(models.QuerySet):
    def valid_on(self, day):
        """Items on the menu on `day` (the menu changed on 1-4-2022)."""
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=day),
            Q(valid_until__isnull=True) | Q(valid_until__gte=day),
        )


score = [MinValueValidator(1), MaxValueValidator(5)]


class MenuItem(models.Model):
    """An intervention of the menukaart, with the toolkit's indications where known."""

    area = models.ForeignKey(
        MenuArea, on_delete=models.PROTECT, related_name="items", verbose_name=_("menu area")
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    effect_months = models.SmallIntegerField(
        _("effect (months of extra progress)"), null=True, blank=True
    )
    evidence_strength = models.PositiveSmallIntegerField(
        _("strength of evidence (1-5)"), null=True, blank=True, validators=score
    )
    cost = models.PositiveSmallIntegerField(
        _("cost (1-5)"), null=True, blank=True, validators=score
    )
    valid_from = models.DateField(_("on the menu from"), null=True, blank=True)
    valid_until = models.DateField(_("on the menu until"), null=True, blank=True)

    objects = MenuItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("menu item")
        verbose_name_plural = _("menu items")
        ordering = ["area__letter", "name"]
        constraints = [
            models.UniqueConstraint(fields=["area", "name"], name="menu_item_name_unique_in_area")
        ]

    def __str__(self) -> str:
        return f"{self.area.letter}. {self.name}"


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


class AllocationQuerySet(ScopedQuerySet):
    municipality_path = "municipality"


class Allocation(models.Model):
    """What a municipality is granted for the whole programme (not per year).

    It lives beside the programme because plans compare their budget with it and finance
    compares spending with it; finance imports it.
    """

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="allocations", verbose_name=_("programme")
    )
    municipality = models.ForeignKey(
        "accounts.Municipality",
        on_delete=models.PROTECT,
        related_name="allocations",
        verbose_name=_("municipality"),
    )
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    decision_reference = models.CharField(_("decision reference"), max_length=200, blank=True)
    pupils = models.PositiveIntegerField(_("pupils on 1 October 2020"), null=True, blank=True)
    achterstandspunten = models.DecimalField(
        _("achterstandspunten"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    pupils_source = models.CharField(
        _("pupils counted from"),
        max_length=500,
        blank=True,
        help_text=_("The DUO file(s) and column(s) the pupils were added up from."),
    )

    objects = AllocationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "municipality"], name="allocation_one_per_municipality"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="allocation_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.municipality} {self.amount}"

    @property
    def formula_amount(self):
        """What the published formula gives for the basis, or None without basis or rates."""
        if self.pupils is None or self.achterstandspunten is None:
            return None  # without a basis the programme (one query) is not needed
        programme = self.programme
        if programme.rate_per_pupil is None or programme.rate_per_achterstandspunt is None:
            return None
        return (
            self.pupils * programme.rate_per_pupil
            + self.achterstandspunten * programme.rate_per_achterstandspunt
        ).quantize(Decimal("0.01"))

    @property
    def formula_difference(self):
        """The decided amount minus the formula's, or None."""
        formula = self.formula_amount
        return None if formula is None else self.amount - formula


class PupilCountSector(models.TextChoices):
    PO = "po", _("Primary education (po)")
    VO = "vo", _("Secondary education (vo)")


class PupilCount(models.Model):
    """DUO's count of pupils on 1 October 2020 in one sector, added up over the locations of
    a municipality as it was on the programme's start: the allocation's basis."""

    programme = models.ForeignKey(
        Programme,
        on_delete=models.PROTECT,
        related_name="pupil_counts",
        verbose_name=_("programme"),
    )
    municipality = models.ForeignKey(
        "accounts.Municipality",
        on_delete=models.PROTECT,
        related_name="pupil_counts",
        verbose_name=_("municipality"),
    )
    sector = models.CharField(_("sector"), max_length=2, choices=PupilCountSector.choices)
    pupils = models.PositiveIntegerField(_("pupils on 1 October 2020"))
    locations = models.PositiveIntegerField(_("locations"))
    source_file = models.CharField(_("file"), max_length=255)
    source_column = models.CharField(_("column"), max_length=100)

    class Meta:
        verbose_name = _("pupil count")
        verbose_name_plural = _("pupil counts")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "municipality", "sector"], name="pupil_count_one_per_sector"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.municipality} {self.sector} {self.pupils}"


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
