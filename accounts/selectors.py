import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import Municipality, SchoolBoard, User


def municipalities_for(*, user: User, search: str = "") -> QuerySet[Municipality]:
    """The municipalities `user` may see, filtered on name or CBS code."""
    queryset = Municipality.objects.for_user(user).in_programme().select_related("successor")
    search = search.strip()
    if search:
        queryset = queryset.filter(Q(name__icontains=search) | Q(code__icontains=search))
    return queryset


def portal_counts(*, user: User) -> dict[str, int]:
    """Headline figures of what `user` may see, for the functional administrator's home page."""
    today = timezone.localdate()
    municipalities = Municipality.objects.for_user(user).in_programme()
    return {
        "municipalities": municipalities.existing_on(today).count(),
        "municipalities_ceased": municipalities.filter(valid_until__lt=today).count(),
        "school_boards": SchoolBoard.objects.for_user(user).count(),
        "users": User.objects.for_user(user).filter(is_active=True).count(),
    }


def grant_members(*, municipality: Municipality, on: datetime.date) -> list[Municipality]:
    """The municipality followed by every municipality that had merged into it (directly
    or through an earlier merger) before `on`: together they hold one grant."""
    members, frontier = [municipality], [municipality.pk]
    while frontier:
        merged = list(
            Municipality.objects.filter(successor_id__in=frontier, valid_until__lt=on)
            .exclude(pk__in=[m.pk for m in members])
            .order_by("valid_until", "code")
        )
        members.extend(merged)
        frontier = [m.pk for m in merged]
    return members
