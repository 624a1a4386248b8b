"""Sign-in through an organisation's own OpenID Connect provider.

Built on mozilla-django-oidc (token request, JWKS key matching, signature and nonce checks,
PKCE and the state store in the session), with the configuration taken per organisation
from `IdentityProvider` instead of from settings. The library leaves the audience and the
issuer unchecked; `OrganisationOIDCBackend` checks both, and the expiry on its own clock.
"""

from __future__ import annotations

import hashlib
import logging
import time
from urllib.parse import urlencode, urlparse

import jwt
import requests
from django.conf import settings
from django.contrib import auth
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import (
    absolutify,
    add_state_and_verifier_and_nonce_to_session,
    generate_code_challenge,
)
from mozilla_django_oidc.views import get_next_url

from accounts.backends import UserBackend
from accounts.models import Role, User
from identity import services
from identity.models import AccountEvent, ExternalIdentity, IdentityProvider, SignInMethod
from identity.signals import (
    SESSION_ID_TOKEN,
    SESSION_LOGOUT_ORIGIN,
    SESSION_METHOD,
    SESSION_PROVIDER,
)
from npo_portal import encryption

logger = logging.getLogger(__name__)

BACKEND = "identity.oidc.OrganisationOIDCBackend"
DISCOVERY_SECONDS = 60 * 60
# Tolerated difference between the provider's clock and ours.
LEEWAY_SECONDS = 60


def current_time() -> float:
    """The portal's clock for token expiry (a function, so a test can move it)."""
    return time.time()


class LoginRefused(Exception):
    """The sign-in is refused: `message` is for the user (Dutch), `reason` for the log."""

    def __init__(self, message: str, reason: str):
        super().__init__(reason)
        self.message = message
        self.reason = reason


def discover(provider: IdentityProvider) -> dict:
    """The provider's published configuration, whose issuer must be the configured one."""
    key = "oidc-discovery:" + hashlib.sha256(provider.issuer.encode()).hexdigest()
    config = cache.get(key)
    if config is None:
        url = provider.issuer.rstrip("/") + "/.well-known/openid-configuration"
        try:
            response = requests.get(url, timeout=settings.OIDC_TIMEOUT_SECONDS)
            response.raise_for_status()
            config = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise LoginRefused(
                _("Your organisation's sign-in cannot be reached at the moment. Try again later."),
                f"discovery failed for {provider.issuer}: {exc}",
            ) from exc
        if config.get("issuer") != provider.issuer:
            raise LoginRefused(
                _("Your organisation's sign-in is not set up correctly."),
                f"discovery issuer {config.get('issuer')!r} is not {provider.issuer!r}",
            )
        cache.set(key, config, DISCOVERY_SECONDS)
    return config


def _refused(request, error: LoginRefused, status: int = 403):
    logger.warning("OIDC sign-in refused: %s", error.reason)
    return render(request, "identity/oidc_refused.html", {"message": error.message}, status=status)


def start(request, slug):
    """Send the browser to the organisation's provider with a fresh state, nonce and PKCE."""
    provider = get_object_or_404(IdentityProvider, slug=slug, enabled=True)
    try:
        config = discover(provider)
    except LoginRefused as error:
        return _refused(request, error, status=502)
    state, nonce = get_random_string(32), get_random_string(32)
    verifier = get_random_string(64)
    params = {
        "response_type": "code",
        "scope": provider.scopes,
        "client_id": provider.client_id,
        "redirect_uri": absolutify(request, reverse("identity:oidc-callback")),
        "state": state,
        "nonce": nonce,
        "code_challenge": generate_code_challenge(verifier, "S256"),
        "code_challenge_method": "S256",
    }
    add_state_and_verifier_and_nonce_to_session(request, state, params, verifier)
    request.session["oidc_states"][state]["provider"] = provider.pk
    request.session["oidc_login_next"] = get_next_url(request, "next")
    request.session.modified = True
    return redirect(f"{config['authorization_endpoint']}?{urlencode(params)}")


def callback(request):
    """The provider's answer: one use of a state of this browser's session, then the code is
    exchanged and the ID token checked; the user is provisioned or refused, never half."""
    state = request.GET.get("state", "")
    states = request.session.get("oidc_states") or {}
    pending = states.pop(state, None)
    request.session["oidc_states"] = states  # a state works once, also when refused below
    if pending is None or "provider" not in pending:
        return _refused(
            request,
            LoginRefused(
                _("This sign-in link has expired or was already used. Please sign in again."),
                "unknown or replayed state",
            ),
            status=400,
        )
    provider = IdentityProvider.objects.filter(pk=pending["provider"], enabled=True).first()
    try:
        if provider is None:
            raise LoginRefused(
                _("Your organisation's sign-in is not set up correctly."), "provider gone"
            )
        if request.GET.get("error"):
            raise LoginRefused(
                _("Your organisation's sign-in did not succeed. Please try again."),
                f"provider answered {request.GET.get('error')}",
            )
        # RFC 9207: the answer names its issuer; another issuer's answer is a mix-up.
        issuer = request.GET.get("iss")
        if issuer is not None and issuer != provider.issuer:
            raise LoginRefused(
                _("This sign-in came from an identity provider the portal does not know."),
                f"authorization response from issuer {issuer!r}, expected {provider.issuer!r}",
            )
        backend = OrganisationOIDCBackend()
        with transaction.atomic():
            user, id_token = backend.sign_in(
                request,
                provider=provider,
                code=request.GET.get("code", ""),
                nonce=pending["nonce"],
                code_verifier=pending["code_verifier"],
            )
    except LoginRefused as error:
        return _refused(request, error)
    next_url = request.session.pop("oidc_login_next", None)
    request.session[SESSION_METHOD] = SignInMethod.PROVIDER
    request.session[SESSION_PROVIDER] = provider.pk
    auth.login(request, user, backend=BACKEND)
    request.session[SESSION_ID_TOKEN] = id_token
    parsed = urlparse(provider.issuer)
    request.session[SESSION_LOGOUT_ORIGIN] = f"{parsed.scheme}://{parsed.netloc}"
    return redirect(next_url or reverse("home"))


def provider_logout_url(request) -> str | None:
    """Where to end the provider's session too (RP-initiated logout), if it offers that."""
    session = request.session
    if session.get(SESSION_METHOD) != SignInMethod.PROVIDER:
        return None
    provider = IdentityProvider.objects.filter(pk=session.get(SESSION_PROVIDER)).first()
    if provider is None:
        return None
    try:
        endpoint = discover(provider).get("end_session_endpoint")
    except LoginRefused:
        return None
    if not endpoint:
        return None
    params = {
        "client_id": provider.client_id,
        "post_logout_redirect_uri": absolutify(request, reverse("login")),
    }
    if session.get(SESSION_ID_TOKEN):
        params["id_token_hint"] = session[SESSION_ID_TOKEN]
    return f"{endpoint}?{urlencode(params)}"


class OrganisationOIDCBackend(OIDCAuthenticationBackend):
    """Authenticates with the provider given to `sign_in`; for password logins it does
    nothing. Loads users like Django's ModelBackend (inactive users are signed out)."""

    def __init__(self, *args, **kwargs):
        # The library reads one provider from settings here; ours come from the database.
        self.UserModel = User
        self.provider: IdentityProvider | None = None

    def authenticate(self, request, **kwargs):
        return None

    def get_user(self, user_id):
        # With the user's organisation, as accounts.backends.UserBackend loads it.
        return UserBackend.get_user(self, user_id)

    def user_can_authenticate(self, user):
        return ModelBackend.user_can_authenticate(self, user)

    @staticmethod
    def get_settings(attr, *args):
        # Everything the library asks of settings has a fixed answer here.
        fixed = {
            "OIDC_VERIFY_SSL": True,
            "OIDC_TIMEOUT": settings.OIDC_TIMEOUT_SECONDS,
            "OIDC_PROXY": None,
            "OIDC_ALLOW_UNSECURED_JWT": False,
            "OIDC_USE_NONCE": True,
            "OIDC_TOKEN_USE_BASIC_AUTH": False,
            "OIDC_VERIFY_KID": True,
        }
        if attr in fixed:
            return fixed[attr]
        if args:
            return args[0]
        raise KeyError(attr)

    def _configure(self, provider: IdentityProvider) -> None:
        config = discover(provider)
        self.provider = provider
        self.OIDC_OP_TOKEN_ENDPOINT = config["token_endpoint"]
        self.OIDC_OP_USER_ENDPOINT = config.get("userinfo_endpoint")
        self.OIDC_OP_JWKS_ENDPOINT = config["jwks_uri"]
        self.OIDC_RP_CLIENT_ID = provider.client_id
        try:
            self.OIDC_RP_CLIENT_SECRET = provider.client_secret
        except encryption.UnreadableSecret as exc:
            raise LoginRefused(
                _("Your organisation's sign-in is not set up correctly."),
                f"{provider.issuer}: the stored client secret cannot be decrypted",
            ) from exc
        self.OIDC_RP_SIGN_ALGO = "RS256"
        self.OIDC_RP_IDP_SIGN_KEY = None

    def sign_in(self, request, *, provider, code, nonce, code_verifier) -> tuple[User, str]:
        """Exchange the code, check the ID token and return the (provisioned) user."""
        self.request = request
        self._configure(provider)
        try:
            tokens = self.get_token(
                {
                    "client_id": provider.client_id,
                    "client_secret": self.OIDC_RP_CLIENT_SECRET,
                    "grant_type": "authorization_code",
                    "code": code,
                    "redirect_uri": absolutify(request, reverse("identity:oidc-callback")),
                    "code_verifier": code_verifier,
                }
            )
            id_token = tokens.get("id_token") or ""
            payload = self.verify_token(id_token, nonce=nonce)
            claims = self.claims_for(tokens.get("access_token"), payload)
        except (
            requests.RequestException,
            SuspiciousOperation,
            jwt.PyJWTError,
            ValueError,
            KeyError,
            TypeError,
        ) as exc:
            raise LoginRefused(
                _("Your organisation's sign-in could not be verified. Please sign in again."),
                f"{provider.issuer}: {exc}",
            ) from exc
        return self.user_for(claims), id_token

    def retrieve_matching_jwk(self, token):
        """The provider's key that signed `token`: the one its `kid` names or, for a token
        without `kid`, the provider's only signing key. Anything else (no such key, several
        keys and no `kid`, another algorithm, a malformed key set) is refused, never a 500."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise SuspiciousOperation(f"ID token header unreadable: {exc}") from exc
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation(f"ID token algorithm {header.get('alg')!r}")
        response = requests.get(
            self.OIDC_OP_JWKS_ENDPOINT, verify=True, timeout=settings.OIDC_TIMEOUT_SECONDS
        )
        response.raise_for_status()
        try:
            keys = [key for key in response.json()["keys"] if isinstance(key, dict)]
        except (ValueError, KeyError, TypeError) as exc:
            raise SuspiciousOperation("The provider's key set is unreadable") from exc
        signing = [
            key
            for key in keys
            if key.get("use", "sig") == "sig"
            and key.get("alg", self.OIDC_RP_SIGN_ALGO) == self.OIDC_RP_SIGN_ALGO
            and key.get("kty") == "RSA"
        ]
        kid = header.get("kid")
        if kid is not None:
            matching = [key for key in signing if key.get("kid") == str(kid)]
        elif len(signing) == 1:
            matching = signing
        else:
            raise SuspiciousOperation(
                f"ID token without kid, and the provider has {len(signing)} signing keys"
            )
        if len(matching) != 1:
            raise SuspiciousOperation(f"No single provider key for kid {kid!r}")
        try:
            return jwt.PyJWK(matching[0])
        except jwt.PyJWTError as exc:
            raise SuspiciousOperation(f"The provider's key is unusable: {exc}") from exc

    def _verify_jws(self, payload, key):
        """Signature (by the library's key lookup), and issuer, audience and times ourselves."""
        header = jwt.get_unverified_header(payload)
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation(f"ID token algorithm {header.get('alg')!r}")
        try:
            claims = jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=self.provider.issuer,
                options={
                    "require": ["iss", "aud", "sub", "exp", "iat"],
                    # Times are checked below against the portal's clock.
                    "verify_exp": False,
                    "verify_iat": False,
                    "verify_nbf": False,
                },
            )
        except jwt.PyJWTError as exc:
            raise SuspiciousOperation(f"ID token refused: {exc}") from exc
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != self.OIDC_RP_CLIENT_ID:
            raise SuspiciousOperation("ID token for several audiences without our azp")
        now = current_time()
        if float(claims["exp"]) < now - LEEWAY_SECONDS:
            raise SuspiciousOperation("ID token expired")
        if float(claims["iat"]) > now + LEEWAY_SECONDS:
            raise SuspiciousOperation("ID token issued in the future")
        return claims

    def claims_for(self, access_token, payload: dict) -> dict:
        """The ID token's claims with the userinfo endpoint's, which must be the same subject."""
        claims = dict(payload)
        if access_token and self.OIDC_OP_USER_ENDPOINT:
            userinfo = self.get_userinfo(access_token, None, payload)
            if userinfo.get("sub") != payload.get("sub"):
                raise SuspiciousOperation("userinfo is about another subject")
            claims.update(userinfo)
        return claims

    def role_from(self, claims: dict) -> str | None:
        values = claims.get(self.provider.role_claim)
        if values is None:
            return None
        values = [str(v) for v in values] if isinstance(values, list | tuple) else [str(values)]
        allowed = {r.value for r in self.provider.allowed_roles}
        for mapping in self.provider.role_mappings.all():
            if mapping.claim_value in values and mapping.role in allowed:
                return mapping.role
        return None

    def user_for(self, claims: dict) -> User:
        """The user linked to the subject, updated from the claims, or a new one in the
        provider's organisation with the mapped role; never a functional administrator."""
        provider = self.provider
        subject = str(claims.get(provider.subject_claim) or "")
        if not subject:
            raise LoginRefused(
                _("Your organisation did not say who you are. Ask its administrator."),
                f"claim {provider.subject_claim!r} missing",
            )
        role = self.role_from(claims)
        if role is None:
            raise LoginRefused(
                _(
                    "Your organisation has not given you a role in the NPO Portal, so you cannot "
                    "sign in. Ask your organisation's key user or administrator for access."
                ),
                f"no role mapping for subject {subject!r}",
            )
        email = str(claims.get(provider.email_claim) or "")
        names = {
            "first_name": str(claims.get("given_name") or "")[:150],
            "last_name": str(claims.get("family_name") or "")[:150],
        }
        link = (
            ExternalIdentity.objects.select_related("user")
            .filter(provider=provider, subject=subject)
            .first()
        )
        if link is not None:
            user = link.user
            if not user.is_active:
                raise LoginRefused(
                    _("Your account in the NPO Portal has been deactivated."),
                    f"inactive user {user.pk}",
                )
            user.role = role
            user.email = email or user.email
            for field, value in names.items():
                setattr(user, field, value or getattr(user, field))
            user.save(update_fields=["role", "email", "first_name", "last_name"])
            return user
        user = User(
            username=self._username(subject),
            email=email,
            role=role,
            municipality_id=provider.municipality_id,
            school_board_id=provider.school_board_id,
            is_staff=False,
            is_superuser=False,
            **names,
        )
        if role == Role.FUNCTIONAL_ADMIN:  # the role mappings' constraint forbids it already
            raise LoginRefused(_("This role cannot be given by a provider."), "admin mapping")
        user.set_unusable_password()
        user.save()
        ExternalIdentity.objects.create(provider=provider, subject=subject, user=user)
        services.record(
            actor=None,
            subject=user,
            action=AccountEvent.Action.PROVISIONED,
            detail=f"{provider.name} · {Role(role).label}",
        )
        return user

    def _username(self, subject: str) -> str:
        digest = hashlib.sha256(f"{self.provider.issuer}|{subject}".encode()).hexdigest()[:12]
        return f"{self.provider.slug}-{digest}"[:150]
