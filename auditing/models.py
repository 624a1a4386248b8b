"""The municipality's external auditor (accountant): read-only access for one municipality
and a time window, granted by its finance officer or the functional administrator, and a log
of every request made with it."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.scoping import ScopedQuerySet


class AuditorGrantQuerySet(ScopedQuerySet):
    municipality_path = "municipality"

    def active_on(self, day: datetime.date):
        """Grants that are not revoked and whose window holds `day` (both ends included)."""
        return self.filter(valid_from__lte=day, valid_until__gte=day, revoked_at__isnull=True)


class AuditorGrant(models.Model):
    auditor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auditor"),
        on_delete=models.PROTECT,
        related_name="auditor_grants",
        limit_choices_to={"role": "accountant"},
    )
    municipality = models.ForeignKey(
        "accounts.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="auditor_grants",
    )
    valid_from = models.DateField(_("from"))
    valid_until = models.DateField(_("until"), help_text=_("Last day of access, included."))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("granted by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = AuditorGrantQuerySet.as_manager()

    class Meta:
        verbose_name = _("auditor access")
        verbose_name_plural = _("auditor access")
        ordering = ["-valid_until", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=F("valid_from")), name="auditor_grant_window_ordered"
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | Q(revoked_by__isnull=False),
                name="auditor_grant_revoked_by_someone",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.auditor} · {self.municipality.code} · {self.valid_from} to {self.valid_until}"
        )

    def is_active_on(self, day: datetime.date) -> bool:
        return self.revoked_at is None and self.valid_from <= day <= self.valid_until


class AuditorAccessQuerySet(ScopedQuerySet):
    municipality_path = "municipality"


class AuditorAccess(models.Model):
    """One request of an auditor: allowed (within an active grant, a read-only page of
    finance, reports, dossier or history) or refused, with the reason."""

    auditor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auditor"),
        on_delete=models.PROTECT,
        related_name="auditor_accesses",
    )
    municipality = models.ForeignKey(
        "accounts.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="auditor_accesses",
    )
    grant = models.ForeignKey(
        AuditorGrant,
        verbose_name=_("access"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accesses",
    )
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    method = models.CharField(_("method"), max_length=8)
    path = models.CharField(_("address"), max_length=500)
    view_name = models.CharField(_("page"), max_length=100, blank=True)
    allowed = models.BooleanField(_("allowed"))
    reason = models.CharField(_("reason refused"), max_length=200, blank=True)

    objects = AuditorAccessQuerySet.as_manager()

    class Meta:
        verbose_name = _("auditor access log entry")
        verbose_name_plural = _("auditor access log")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["municipality", "-at"], name="auditor_access_by_day")]

    def __str__(self) -> str:
        return f"{self.at:%d-%m-%Y %H:%M} {self.auditor} {self.method} {self.path}"
