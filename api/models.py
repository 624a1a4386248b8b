"""API tokens of a municipality's own systems, and the log of every request made with one."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.scoping import ScopedQuerySet


class Scope(models.TextChoices):
    READ = "lezen", _("Read expenditures, payments, totals, reports and needs pictures")
    WRITE_EXPENDITURES = "uitgaven-schrijven", _("Record, change and delete expenditures")


class ApiTokenQuerySet(ScopedQuerySet):
    municipality_path = "municipality"

    def usable(self):
        """Neither revoked nor past its expiry date."""
        return self.filter(revoked_at__isnull=True, expires_on__gte=timezone.localdate())


class ApiToken(models.Model):
    """A key with which one municipality's own system uses the API. Only a SHA-256 of the
    secret is stored: the secret is shown once, when the token is made."""

    municipality = models.ForeignKey(
        "accounts.Municipality",
        on_delete=models.PROTECT,
        related_name="api_tokens",
        verbose_name=_("municipality"),
    )
    name = models.CharField(
        _("name"), max_length=100, help_text=_("Which system uses it, e.g. Key2Financiën.")
    )
    prefix = models.CharField(_("prefix"), max_length=12, unique=True, editable=False)
    secret_sha256 = models.CharField(_("SHA-256 of the secret"), max_length=64, editable=False)
    scopes = models.JSONField(pgettext_lazy("api token", "scopes"), default=list)
    expires_on = models.DateField(_("valid until"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["municipality", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["secret_sha256"], name="api_token_secret_unique"),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | Q(revoked_at__gte=models.F("created_at")),
                name="api_token_revoked_after_created",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_on < timezone.localdate()

    @property
    def is_usable(self) -> bool:
        return not self.is_revoked and not self.is_expired

    def allows(self, scope: str) -> bool:
        return scope in self.scopes

    @property
    def scope_labels(self) -> list[str]:
        return [str(Scope(scope).label) for scope in self.scopes if scope in Scope.values]


class ApiRequestQuerySet(ScopedQuerySet):
    municipality_path = "token__municipality"


class ApiRequest(models.Model):
    """One use of a token: when, which endpoint, and what came of it."""

    token = models.ForeignKey(
        ApiToken, on_delete=models.CASCADE, related_name="requests", verbose_name=_("token")
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    method = models.CharField(_("method"), max_length=10)
    endpoint = models.CharField(_("endpoint"), max_length=300)
    status = models.PositiveSmallIntegerField(_("result (HTTP status)"))
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)

    objects = ApiRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("API request")
        verbose_name_plural = _("API requests")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["token", "-at"], name="api_request_token_at")]

    def __str__(self) -> str:
        return f"{self.token} {self.method} {self.endpoint} {self.status}"
