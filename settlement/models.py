"""The end of the grant: the Minister's settlement decision, the repayment that settles it,
and the closing of a municipality's programme.

These models name other apps only by string and import nothing but `accounts`: every app's
permission functions ask `settlement.closed` whether a municipality's programme is closed, so
this module stays at the bottom of the house (like `accounts`), while the pages, services and
selectors of this app sit at the top and read finance's totals.
"""

import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.scoping import ScopedQuerySet

MONEY = {"max_digits": 14, "decimal_places": 2}
# The cache generation of `settlement.closed`'s answers; moved on by every closing and
# reopening.
GENERATION_KEY = "programme-closed:generation"


def forget_closed_answers() -> None:
    """Make `settlement.closed` ask the database again (after a closing or reopening): a new
    cache generation. (The answers kept within the current request `settlement.closed`
    forgets itself, on the Closure's post_save and post_delete.)"""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not in the cache (yet, or any more): a new generation
        cache.set(GENERATION_KEY, 2, None)


def letter_path(instance, file_name: str) -> str:
    """A random name: the user's file name is kept only as text, never as a path."""
    return f"settlements/{uuid.uuid4().hex}.pdf"


class SettlementQuerySet(ScopedQuerySet):
    municipality_path = "municipality"


class Settlement(models.Model):
    """The Minister's settlement decision (vaststellingsbeschikking) for one municipality's
    grant, as the finance officer records it, beside the portal's own expected figures at the
    moment of recording (`expected_*`), so that a difference stays explainable afterwards.

    After a merger the successor holds the predecessors' grant: its decision covers it all.
    """

    programme = models.ForeignKey(
        "plans.Programme", on_delete=models.PROTECT, related_name="+", verbose_name=_("programme")
    )
    municipality = models.ForeignKey(
        "accounts.Municipality",
        on_delete=models.PROTECT,
        related_name="settlements",
        verbose_name=_("municipality"),
    )
    decided_on = models.DateField(_("date of the decision"))
    sent_on = models.DateField(
        _("date sent"),
        help_text=_("The day the decision was sent; the objection period starts the day after."),
    )
    reference = models.CharField(_("reference"), max_length=100)
    # The decision's figures. `amount_to_repay` is positive when the municipality pays back,
    # negative when it still receives money.
    allocation = models.DecimalField(_("allocation in the decision"), **MONEY)
    received = models.DecimalField(_("advance payments in the decision"), **MONEY)
    amount_set = models.DecimalField(_("amount set"), **MONEY)
    amount_to_repay = models.DecimalField(
        _("amount to repay"),
        help_text=_("Negative when the municipality still receives money."),
        **MONEY,
    )
    # The portal's expected figures when the decision was recorded (finance's totals).
    expected_allocation = models.DecimalField(_("expected allocation"), **MONEY)
    expected_received = models.DecimalField(_("expected advance payments"), **MONEY)
    expected_amount_set = models.DecimalField(_("expected amount set"), **MONEY)
    expected_amount_to_repay = models.DecimalField(_("expected amount to repay"), **MONEY)
    explanation = models.TextField(
        _("explanation of the differences"),
        blank=True,
        help_text=_("Required where the decision differs from the portal's expected figures."),
    )
    objection_deadline = models.DateField(
        _("objection deadline"),
        help_text=_("Six weeks, starting the day after the decision was sent (Awb 6:7, 6:8)."),
    )
    letter = models.FileField(
        _("decision letter"), upload_to=letter_path, blank=True, editable=False, max_length=200
    )
    letter_name = models.CharField(_("file name of the letter"), max_length=255, blank=True)
    letter_size = models.PositiveIntegerField(_("size of the letter in bytes"), default=0)
    letter_sha256 = models.CharField(_("SHA-256 of the letter"), max_length=64, blank=True)
    reminder_sent_at = models.DateTimeField(_("objection reminder sent at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = SettlementQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("settlement decision")
        verbose_name_plural = _("settlement decisions")
        ordering = ["municipality", "programme"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "municipality"], name="settlement_once_per_municipality"
            ),
            models.CheckConstraint(
                condition=Q(sent_on__gte=models.F("decided_on")),
                name="settlement_sent_after_decision",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.municipality} {self.reference}"


class RepaymentQuerySet(ScopedQuerySet):
    municipality_path = "settlement__municipality"


class Repayment(models.Model):
    """The payment that settles the decision: what the municipality paid back, or, when the
    decision leaves money to receive, what it received. One per decision."""

    settlement = models.OneToOneField(
        Settlement,
        on_delete=models.PROTECT,
        related_name="repayment",
        verbose_name=_("settlement decision"),
    )
    date = models.DateField(_("date paid"))
    amount = models.DecimalField(
        _("amount"), help_text=_("As in the decision: negative when received."), **MONEY
    )
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = RepaymentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("repayment")
        verbose_name_plural = _("repayments")

    def __str__(self) -> str:
        return f"{self.settlement} {self.date} {self.amount}"


class ClosureQuerySet(ScopedQuerySet):
    municipality_path = "municipality"

    def current(self):
        """The closures not reopened: the programme of their municipality is closed."""
        return self.filter(reopened_at__isnull=True)


class Closure(models.Model):
    """The programme closed for one municipality by the functional administrator, once its
    settlement is recorded and paid: from then on its plans, needs, expenditures, payments and
    reports are read-only. Reopening keeps the row, with who, when and why; a later closing
    adds a new row, so the rows are the log of every closing and reopening."""

    municipality = models.ForeignKey(
        "accounts.Municipality",
        on_delete=models.PROTECT,
        related_name="closures",
        verbose_name=_("municipality"),
    )
    settlement = models.ForeignKey(
        Settlement,
        on_delete=models.PROTECT,
        related_name="closures",
        verbose_name=_("settlement decision"),
    )
    closed_at = models.DateTimeField(_("closed at"), default=timezone.now)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    reopened_at = models.DateTimeField(_("reopened at"), null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reopened by"),
    )
    reopen_reason = models.TextField(_("reason for reopening"), blank=True)

    objects = ClosureQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("closed programme")
        verbose_name_plural = _("closed programmes")
        ordering = ["municipality", "-closed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality"],
                condition=Q(reopened_at__isnull=True),
                name="closure_one_current_per_municipality",
            ),
            models.CheckConstraint(
                condition=Q(reopened_at__isnull=True) | ~Q(reopen_reason=""),
                name="closure_reopened_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.municipality} {self.closed_at:%d-%m-%Y}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        forget_closed_answers()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        forget_closed_answers()
        return result

    @property
    def is_current(self) -> bool:
        return self.reopened_at is None
