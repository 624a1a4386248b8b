from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import LazyObject, empty
from django.utils.http import urlencode

from identity import services
from identity.models import SignInMethod
from identity.permissions import second_factor_required
from identity.signals import SESSION_HAS_DEVICE, SESSION_LOGOUT_ORIGIN, SESSION_METHOD, SESSION_SEEN

# Reachable before the second factor: the code and set-up pages themselves, and leaving.
BEFORE_SECOND_FACTOR = {
    "identity:verify",
    "identity:two-factor-setup",
    "logout",
    "set_language",
    "health",
    "login",
}
SEEN_EVERY_SECONDS = 300


def _unwrapped(user):
    """The signed-in user itself, once loaded. Django's and django-otp's middleware each wrap
    it in a lazy object, so every attribute a page reads of `request.user` went through two
    proxies and two caught AttributeErrors: about a twentieth of a page's function calls
    (issue 32). Every view of a signed-in user loads it here anyway."""
    while isinstance(user, LazyObject):
        if user._wrapped is empty:
            user._setup()
        user = user._wrapped
    return user


class SecondFactorMiddleware:
    """A local account with an authenticator must enter its code before any page; one whose
    role requires two-factor authentication must set it up first. Users who signed in
    through their organisation's provider are not asked: the provider is their factor.

    Also keeps each session's "last active" time, at most every five minutes.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        request.user = user = _unwrapped(user)
        self._note_activity(request)
        if request.session.get(SESSION_METHOD) == SignInMethod.PROVIDER or user.is_verified():
            return None
        match = request.resolver_match
        if match is not None and match.view_name in BEFORE_SECOND_FACTOR:
            return None
        query = urlencode({"next": request.get_full_path()})
        if request.session.get(SESSION_HAS_DEVICE):
            return redirect(f"{reverse('identity:verify')}?{query}")
        if second_factor_required(user):
            return redirect(f"{reverse('identity:two-factor-setup')}?{query}")
        return None

    @staticmethod
    def _note_activity(request):
        now = timezone.now().timestamp()
        seen = request.session.get(SESSION_SEEN)
        if seen is None or now - seen > SEEN_EVERY_SECONDS:
            request.session[SESSION_SEEN] = now
            services.touch_session(session_key=request.session.session_key)


class ProviderLogoutFormActionMiddleware:
    """Logging out of a provider session redirects the logout form to the provider's end of
    session; the page's form-action must allow that origin, or the browser blocks it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        origin = session.get(SESSION_LOGOUT_ORIGIN) if session is not None else None
        if origin:
            update = dict(getattr(response, "_csp_update", None) or {})
            update["form-action"] = [*update.get("form-action", []), origin]
            response._csp_update = update
        return response
