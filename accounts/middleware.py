"""Django's authentication middleware, for sessions signed in through a replaced backend."""

from functools import partial

from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.auth.middleware import (
    AuthenticationMiddleware as DjangoAuthenticationMiddleware,
)
from django.utils.functional import SimpleLazyObject

from accounts.backends import REPLACED_BACKENDS


def _renamed(request):
    """Write the path that replaced the session's backend into the session (once)."""
    session = request.session
    replacement = REPLACED_BACKENDS.get(session.get(BACKEND_SESSION_KEY))
    if replacement is not None:
        session[BACKEND_SESSION_KEY] = replacement
    return request


async def _arenamed(request):
    session = request.session
    replacement = REPLACED_BACKENDS.get(await session.aget(BACKEND_SESSION_KEY))
    if replacement is not None:
        await session.aset(BACKEND_SESSION_KEY, replacement)
    return request


def get_user(request):
    if not hasattr(request, "_cached_user"):
        request._cached_user = auth.get_user(_renamed(request))
    return request._cached_user


async def auser(request):
    if not hasattr(request, "_acached_user"):
        request._acached_user = await auth.aget_user(await _arenamed(request))
    return request._acached_user


class AuthenticationMiddleware(DjangoAuthenticationMiddleware):
    """`request.user` as Django gives it, after a session signed in through a backend that
    has since been replaced (`accounts.backends.REPLACED_BACKENDS`) is given the backend
    that replaced it: the user stays signed in, loaded by the new backend."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: get_user(request))
        request.auser = partial(auser, request)
