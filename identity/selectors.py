from django.db.models import QuerySet

from accounts.models import User
from identity.models import AccountEvent, UserSession


def colleagues_of(*, key_user: User) -> QuerySet[User]:
    """The people of the key user's own organisation (none for anyone else)."""
    if key_user.municipality_id is not None:
        return User.objects.filter(municipality_id=key_user.municipality_id)
    if key_user.school_board_id is not None:
        return User.objects.filter(school_board_id=key_user.school_board_id)
    return User.objects.none()


def organisation_events(*, key_user: User) -> QuerySet[AccountEvent]:
    """The account audit trail of the key user's organisation, newest first."""
    events = AccountEvent.objects.select_related("actor", "subject")
    if key_user.municipality_id is not None:
        return events.filter(municipality_id=key_user.municipality_id)
    if key_user.school_board_id is not None:
        return events.filter(school_board_id=key_user.school_board_id)
    return events.none()


def sessions_of(*, user: User) -> QuerySet[UserSession]:
    return UserSession.objects.filter(user=user).select_related("provider")
