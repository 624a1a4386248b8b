"""What every endpoint of the API shares: the token's scopes, the audit trail and request
log around each call, and the 404 for any other path."""

from __future__ import annotations

import time

from django.contrib.auth.models import AnonymousUser
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, permissions
from rest_framework.views import APIView

from api import audit
from api import permissions as api_permissions
from api.services import log_request


class TokenScope(permissions.BasePermission):
    """Reading needs the read scope; changing expenditures the write scope."""

    def has_permission(self, request, view):
        token = request.auth
        if token is None:
            return False
        if request.method in permissions.SAFE_METHODS:
            return api_permissions.token_can_read(token)
        return api_permissions.token_can_write_expenditures(token)


class ApiView(APIView):
    permission_classes = [permissions.IsAuthenticated, TokenScope]

    def initial(self, request, *args, **kwargs):
        self._started = time.monotonic()
        super().initial(request, *args, **kwargs)
        token = request.auth
        # The audit trail records the token's maker as the user, and the token as reason.
        request._request.user = token.created_by or AnonymousUser()
        self._acting = audit.acting_with(token)
        self._acting.__enter__()

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        acting = getattr(self, "_acting", None)
        if acting is not None:
            acting.__exit__(None, None, None)
            self._acting = None
        token = getattr(request, "_auth", None)
        if token is not None:
            log_request(
                token=token,
                method=request.method,
                endpoint=request.path,
                status=response.status_code,
                duration_ms=int(
                    (time.monotonic() - getattr(self, "_started", time.monotonic())) * 1000
                ),
            )
        return response

    @property
    def municipality(self):
        return self.request.auth.municipality


class NotFoundView(APIView):
    """Any other path under /api/v1/ (e.g. an id that is not a number): a problem+json 404
    instead of the portal's HTML page."""

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    throttle_classes: list = []

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        raise exceptions.NotFound()

    post = put = patch = delete = head = options = get
