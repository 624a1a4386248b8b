import os

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import MUNICIPAL_ROLES, Municipality, OwnedByOrganisation, Role, SchoolBoard
from npo_portal import encryption


def roles_of_organisation_kind(*, municipality: bool) -> list[Role]:
    """The roles a person of a municipality or of a school board can hold: never functional
    administrator or programme monitor, which belong to no organisation."""
    return list(MUNICIPAL_ROLES) if municipality else [Role.SCHOOL_BOARD]


class IdentityProvider(OwnedByOrganisation):
    """An organisation's own OpenID Connect provider through which its staff sign in."""

    name = models.CharField(
        _("name"), max_length=100, help_text=_("Shown on the login page, e.g. Gemeente Middelburg.")
    )
    slug = models.SlugField(_("short name"), unique=True, help_text=_("Used in the login URL."))
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="identity_providers",
    )
    school_board = models.ForeignKey(
        SchoolBoard,
        verbose_name=_("school board"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="identity_providers",
    )
    issuer = models.URLField(
        _("issuer"),
        help_text=_(
            "The provider's issuer; its configuration is read from "
            "ISSUER/.well-known/openid-configuration."
        ),
    )
    client_id = models.CharField(_("client id"), max_length=200)
    client_secret_encrypted = models.TextField(
        _("client secret (encrypted)"),
        blank=True,
        editable=False,
        help_text=_("Encrypted with FIELD_ENCRYPTION_KEYS; never shown back."),
    )
    client_secret_variable = models.CharField(
        _("environment variable with the client secret"),
        max_length=100,
        blank=True,
        help_text=_(
            "Instead of storing the secret: the environment variable of the portal's "
            "processes that holds it."
        ),
    )
    scopes = models.CharField(_("scopes"), max_length=200, default="openid email profile")
    subject_claim = models.CharField(
        _("claim that identifies the user"), max_length=100, default="sub"
    )
    email_claim = models.CharField(_("e-mail claim"), max_length=100, default="email")
    role_claim = models.CharField(
        _("claim with groups or roles"),
        max_length=100,
        default="groups",
        help_text=_("Its value (or each value of a list) is looked up in the role mappings."),
    )
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        verbose_name = _("identity provider")
        verbose_name_plural = _("identity providers")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(municipality__isnull=False, school_board__isnull=True)
                | Q(municipality__isnull=True, school_board__isnull=False),
                name="identity_provider_has_one_organisation",
                violation_error_message=_(
                    "An identity provider belongs to one municipality or one school board."
                ),
            ),
            models.UniqueConstraint(
                fields=["issuer", "client_id"], name="identity_provider_unique_client"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def allowed_roles(self) -> list[Role]:
        return roles_of_organisation_kind(municipality=self.municipality_id is not None)

    @property
    def client_secret(self) -> str:
        """The secret stored (decrypted here, only when it is sent to the provider), else the
        one in the named environment variable."""
        if self.client_secret_encrypted:
            return encryption.decrypt(self.client_secret_encrypted)
        if self.client_secret_variable:
            return os.environ.get(self.client_secret_variable, "")
        return ""

    def set_client_secret(self, secret: str) -> None:
        """Store `secret` encrypted (the empty string removes the stored one)."""
        self.client_secret_encrypted = encryption.encrypt(secret) if secret else ""

    @property
    def client_secret_hint(self) -> str:
        """What may be shown of the secret: where it comes from, never the secret itself."""
        if self.client_secret_encrypted:
            try:
                return _("stored encrypted (%(hint)s)") % {
                    "hint": encryption.hint(self.client_secret)
                }
            except encryption.UnreadableSecret:
                return _("stored, but no configured key decrypts it")
        if self.client_secret_variable:
            return _("from the environment variable %(name)s") % {
                "name": self.client_secret_variable
            }
        return _("no client secret")


class RoleMapping(models.Model):
    """A value of the provider's role claim that gives a role in the provider's organisation."""

    provider = models.ForeignKey(
        IdentityProvider, on_delete=models.CASCADE, related_name="role_mappings"
    )
    claim_value = models.CharField(_("claim value"), max_length=200)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    position = models.PositiveSmallIntegerField(
        _("order"), default=0, help_text=_("When several values match, the lowest order wins.")
    )

    class Meta:
        verbose_name = _("role mapping")
        verbose_name_plural = _("role mappings")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "claim_value"], name="role_mapping_unique_value"
            ),
            # A provider can never make anyone a functional administrator or monitor.
            models.CheckConstraint(
                condition=Q(role__in=[r.value for r in (*MUNICIPAL_ROLES, Role.SCHOOL_BOARD)]),
                name="role_mapping_organisation_role",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.claim_value} → {self.get_role_display()}"

    def clean(self):
        if self.provider_id and self.role not in self.provider.allowed_roles:
            raise ValidationError(
                {"role": _("This role does not belong to the provider's kind of organisation.")}
            )


class ExternalIdentity(models.Model):
    """The link between a provider's subject and the portal user it was provisioned as."""

    provider = models.ForeignKey(
        IdentityProvider, on_delete=models.CASCADE, related_name="identities"
    )
    subject = models.CharField(_("subject"), max_length=255)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="external_identity"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("external identity")
        verbose_name_plural = _("external identities")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "subject"], name="external_identity_unique_subject"
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider}: {self.subject}"


class SignInMethod(models.TextChoices):
    PASSWORD = "password", _("password")
    PASSWORD_AND_CODE = "password+code", _("password and code")
    PROVIDER = "oidc", _("own organisation's sign-in")


class UserSession(models.Model):
    """A signed-in session of a user, so they can see it and end it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="portal_sessions"
    )
    session_key = models.CharField(max_length=40, unique=True)
    method = models.CharField(
        _("signed in with"), max_length=20, choices=SignInMethod.choices, default="password"
    )
    provider = models.ForeignKey(
        IdentityProvider, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("signed in"), auto_now_add=True)
    last_seen_at = models.DateTimeField(_("last active"))

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["-last_seen_at"]

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d %H:%M}"


class AccountEvent(OwnedByOrganisation):
    """The audit trail of who changed which account: key users, provisioning, 2FA, sessions."""

    class Action(models.TextChoices):
        INVITED = "invited", _("invited")
        DEACTIVATED = "deactivated", _("deactivated")
        REACTIVATED = "reactivated", _("reactivated")
        PROVISIONED = "provisioned", _("created at first sign-in through the organisation")
        TWO_FACTOR_ENABLED = "2fa-on", _("set up two-factor authentication")
        TWO_FACTOR_DISABLED = "2fa-off", _("turned off two-factor authentication")
        RECOVERY_CODES = "recovery", _("made new recovery codes")
        PROFILE_CHANGED = "profile", _("changed name or e-mail")
        PASSWORD_CHANGED = "password", _("changed the password")
        SESSION_ENDED = "session-ended", _("ended a session")

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="account_events",
    )
    action = models.CharField(_("what"), max_length=20, choices=Action.choices)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    # The organisation at the time, so the trail stays with it when the account moves.
    municipality = models.ForeignKey(
        Municipality, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    school_board = models.ForeignKey(
        SchoolBoard, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("account event")
        verbose_name_plural = _("account events")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.get_action_display()} {self.subject}"
