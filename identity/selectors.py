from django.db.models import QuerySet

from accounts.models import User
from identity.models import AccountEvent, UserSession


def colleagues_of(*, key_user: User) -> QuerySet[User]:
    """The people of the key user's own organisation (none for anyone else)."""
    lookup = key_user.organisation_lookup()
    return User.objects.filter(**lookup) if lookup else User.objects.none()


def organisation_events(*, key_user: User) -> QuerySet[AccountEvent]:
    """The account audit trail of the key user's organisation, newest first."""
    lookup = key_user.organisation_lookup()
    events = AccountEvent.objects.select_related("actor", "subject")
    return events.filter(**lookup) if lookup else events.none()


def sessions_of(*, user: User) -> QuerySet[UserSession]:
    return UserSession.objects.filter(user=user).select_related("provider")
