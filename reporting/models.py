from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


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
            "Tick once checked against the SiSa annex the ministry published for this year."
        ),
    )
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
