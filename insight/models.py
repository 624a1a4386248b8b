"""The national monitor's materialised figures and the change log that keeps them exact.

Each municipality's money comes from `finance_totals`, one municipality at a time (about 17
queries each): for 342 municipalities that is too slow for one page. So the monitor keeps each
municipality's figures per year in `MonitorFigures`, computed by `finance_totals`, together with
the number of `MoneyChange` statements logged for its grant when they were computed. Database
triggers (migrations 0001 to 0003) append a `MoneyChange` row in the same transaction as every
statement that writes an expenditure, the spending summary, a payment, an allocation, a plan,
an intervention, a budget or a closed year (with COPY and bulk inserts, which no Django signal
sees), and a row for municipality 0 when the register, the programme, its goals or the payment
schedule change. Figures whose count differs are recomputed before they are shown; the finance
pages' cached figures (`insight.figures`) are keyed by the same count.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class MoneyChange(models.Model):
    """One writing statement on what a municipality's finance totals are computed from,
    appended by a trigger.

    Append-only on purpose: a counter row updated in place would lock every writer of the
    municipality until an import's transaction ends. Adding up the committed rows' weights per
    municipality is exact: a row appears when its statement commits, and compaction replaces
    rows by one of the same total weight in one statement.
    """

    # A plain integer, not a foreign key: the trigger must never fail on it.
    municipality_id = models.BigIntegerField(db_index=True)
    # How many statements the row stands for: 1 as a trigger writes it, more once
    # `compact_money_changes` has folded a municipality's rows into one.
    weight = models.PositiveBigIntegerField(db_default=1)

    class Meta:
        verbose_name = _("money change")
        verbose_name_plural = _("money changes")

    def __str__(self) -> str:
        return f"{self.municipality_id} #{self.pk}"


class MonitorFigures(models.Model):
    """A municipality's figures for one reporting year, as `finance_totals` gave them on
    31 December of the year, and the change count they were computed at."""

    municipality = models.ForeignKey(
        "accounts.Municipality", on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField()
    changes = models.BigIntegerField()
    allocation = models.DecimalField(max_digits=14, decimal_places=2)
    received = models.DecimalField(max_digits=14, decimal_places=2)
    spent_year = models.DecimalField(max_digits=14, decimal_places=2)
    spent_cumulative = models.DecimalField(max_digits=14, decimal_places=2)
    at_risk = models.DecimalField(max_digits=14, decimal_places=2)
    # [["2021-07-01", cumulative spent, cumulative expected], ...] over the spending period,
    # amounts as strings so that they come back as exact Decimals.
    months = models.JSONField(default=list)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("monitor figures")
        verbose_name_plural = _("monitor figures")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "year"], name="monitor_figures_once_per_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.municipality_id} {self.year}"


class FrozenMonitorRow(models.Model):
    """A municipality's row of the national monitor for one year, kept as it was before its
    records were destroyed at the end of their retention (archive/destruction.py): anonymous
    aggregates only, so that the monitor's figures stay what they were (the counter that
    outlives the deleted records, as Open Forms keeps its statistics). While a row is frozen
    the monitor shows it instead of computing one."""

    municipality = models.ForeignKey(
        "accounts.Municipality", on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField()
    allocation = models.DecimalField(max_digits=14, decimal_places=2)
    received = models.DecimalField(max_digits=14, decimal_places=2)
    spent_year = models.DecimalField(max_digits=14, decimal_places=2)
    spent_cumulative = models.DecimalField(max_digits=14, decimal_places=2)
    at_risk = models.DecimalField(max_digits=14, decimal_places=2)
    months = models.JSONField(default=list)
    pupils = models.PositiveIntegerField(null=True)
    # Codes, not labels: PlanStatus ("" for no plan) and the report status key ("" for none).
    plan_status = models.CharField(max_length=20, blank=True)
    report_status = models.CharField(max_length=20, blank=True)
    response_rate = models.DecimalField(max_digits=5, decimal_places=1, null=True)
    frozen_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("frozen monitor row")
        verbose_name_plural = _("frozen monitor rows")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "year"], name="frozen_monitor_row_once_per_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.municipality_id} {self.year}"
