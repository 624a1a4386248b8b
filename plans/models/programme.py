"""The programme and what it is spent on: its period and amendments, the spending goals,
and the menu of interventions a plan chooses from."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


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
