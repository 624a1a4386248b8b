"""Every sign-in gets a session record (listed on the profile page); sign-out removes it."""

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_ip_address
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver
from django.utils import timezone

from identity.models import SignInMethod, UserSession

SESSION_METHOD = "identity_method"
SESSION_PROVIDER = "identity_provider"
SESSION_SEEN = "identity_seen"
# Whether the user had an authenticator when signing in: saves a query on every request.
SESSION_HAS_DEVICE = "identity_has_device"
SESSION_LOGOUT_ORIGIN = "identity_logout_origin"
SESSION_ID_TOKEN = "identity_id_token"  # noqa: S105 - a session key, not a secret


@receiver(user_logged_in, dispatch_uid="identity-session-start")
def start_session_record(sender, request, user, **kwargs):
    session = getattr(request, "session", None)
    if session is None:
        return
    if session.session_key is None:
        session.save()
    method = session.get(SESSION_METHOD, SignInMethod.PASSWORD)
    now = timezone.now()
    UserSession.objects.update_or_create(
        session_key=session.session_key,
        defaults={
            "user": user,
            "method": method,
            "provider_id": session.get(SESSION_PROVIDER),
            "ip_address": get_client_ip_address(request) if hasattr(request, "META") else None,
            "user_agent": (
                request.META.get("HTTP_USER_AGENT", "") if hasattr(request, "META") else ""
            )[:300],
            "last_seen_at": now,
        },
    )
    session[SESSION_SEEN] = now.timestamp()
    from identity.services import has_second_factor

    # Failed attempts are forgotten once the whole sign-in succeeded: here for a password
    # without a second factor or a provider's sign-in, after the code for the others
    # (identity.views.verify). Resetting at the password would let an attacker who knows it
    # guess codes for ever.
    session[SESSION_HAS_DEVICE] = has_device = has_second_factor(user)
    if method == SignInMethod.PROVIDER or not has_device:
        reset_failed_attempts(request, user)


def reset_failed_attempts(request, user) -> None:
    AxesProxyHandler.reset_attempts(
        ip_address=get_client_ip_address(request), username=user.get_username()
    )


@receiver(user_logged_out, dispatch_uid="identity-session-end")
def end_session_record(sender, request, user, **kwargs):
    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        UserSession.objects.filter(session_key=session.session_key).delete()
