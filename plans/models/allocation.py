"""The grant allocated to a municipality and the pupil counts it is based on."""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.scoping import ScopedQuerySet
from plans.models.programme import (
    Programme,
)


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
