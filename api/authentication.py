"""`Authorization: Bearer npo_…`: the token is looked up by the SHA-256 of its secret."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from api.principal import TokenPrincipal
from api.services import maker_may_still, token_for_secret


class TokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("Send the token as 'Authorization: Bearer <token>'.")
            )
        try:
            secret = header[1].decode("ascii")
        except UnicodeDecodeError as error:
            raise exceptions.AuthenticationFailed(_("This token is unknown.")) from error
        token = token_for_secret(secret)
        if token is None:
            raise exceptions.AuthenticationFailed(_("This token is unknown."))
        if token.is_revoked:
            raise exceptions.AuthenticationFailed(_("This token has been revoked."))
        if token.is_expired:
            raise exceptions.AuthenticationFailed(_("This token has expired."))
        if not maker_may_still(token):
            raise exceptions.AuthenticationFailed(
                _(
                    "This token no longer works: the person who made it no longer has access. "
                    "A finance officer of the municipality can make a new one."
                )
            )
        return TokenPrincipal(token), token

    def authenticate_header(self, request):
        return f'{self.keyword} realm="api"'


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.TokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": str(
                _(
                    "An API token of your municipality, made by its finance officer in the "
                    "portal (Financiën → API-tokens)."
                )
            ),
        }
