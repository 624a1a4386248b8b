from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import Municipality, SchoolBoard, User


def municipalities_for(*, user: User, search: str = "") -> QuerySet[Municipality]:
    """The municipalities `user` may see, filtered on name or CBS code."""
    queryset = Municipality.objects.for_user(user).select_related("successor")
    search = search.strip()
    if search:
        queryset = queryset.filter(Q(name__icontains=search) | Q(code__icontains=search))
    return queryset


def portal_counts(*, user: User) -> dict[str, int]:
    """Headline figures of what `user` may see, for the functional administrator's home page."""
    today = timezone.localdate()
    municipalities = Municipality.objects.for_user(user)
    return {
        "municipalities": municipalities.existing_on(today).count(),
        "municipalities_ceased": municipalities.filter(valid_until__lt=today).count(),
        "school_boards": SchoolBoard.objects.for_user(user).count(),
        "users": User.objects.for_user(user).filter(is_active=True).count(),
    }
