"""How the isolation suite (tests/test_isolation.py) points this app's views at the other
organisation's objects. Every named URL of the app belongs in one of these."""

from collections.abc import Callable

from django.utils import timezone

from identity.models import UserSession
from tests.world import Organisation

PUBLIC_VIEWS: dict[str, str] = {
    "identity:oidc-start": "sends an anonymous visitor to their organisation's provider",
    "identity:oidc-callback": "the provider's answer; guarded by the one-use state in the session",
}

UNPARAMETERISED_VIEWS: set[str] = {
    "identity:verify",
    "identity:profile",
    "identity:password-change",
    "identity:two-factor-setup",
    "identity:recovery-codes",
    "identity:two-factor-remove",
    "identity:sessions",
    "identity:people",
    "identity:invite",
}


def other_session(other: Organisation) -> UserSession:
    session, _created = UserSession.objects.get_or_create(
        session_key=f"isolation-{other.policy_officer.pk}",
        defaults={"user": other.policy_officer, "last_seen_at": timezone.now()},
    )
    return session


OTHER_ORGANISATION_KWARGS: dict[str, Callable[[Organisation], dict]] = {
    "identity:session-end": lambda other: {"pk": other_session(other).pk},
    "identity:deactivate": lambda other: {"pk": other.policy_officer.pk},
    "identity:reactivate": lambda other: {"pk": other.policy_officer.pk},
}
