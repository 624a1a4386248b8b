import datetime

from django.db import connection
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


# The municipality, then level by level those merged into it before `on`, each level in the
# order of their end and code. A merger chain is a tree (one successor each); the depth bound
# only stops a loop in data that would make one.
_GRANT_MEMBERS = """
WITH RECURSIVE members (id, depth, valid_until, code) AS (
    SELECT id, 0, valid_until, code FROM {municipality} WHERE id = %(municipality)s
    UNION ALL
    SELECT merged.id, members.depth + 1, merged.valid_until, merged.code
    FROM {municipality} merged JOIN members ON merged.successor_id = members.id
    WHERE merged.valid_until < %(on)s AND members.depth < 20
)
"""
MEMBERS_ORDER = "ORDER BY members.depth, members.valid_until, members.code"


def grant_members_sql(then: str) -> str:
    """THE rule of `grant_members` as SQL: the table `members` (id, depth, valid_until,
    code) for the parameters %(municipality)s (an id) and %(on)s, followed by `then`, which
    reads it (in the rule's order with `MEMBERS_ORDER`)."""
    table = connection.ops.quote_name(Municipality._meta.db_table)
    return _GRANT_MEMBERS.format(municipality=table) + then


def grant_members(*, municipality: Municipality, on: datetime.date) -> list[Municipality]:
    """The municipality followed by every municipality that had merged into it (directly
    or through an earlier merger) before `on`: together they hold one grant. One query."""
    table = connection.ops.quote_name(Municipality._meta.db_table)
    merged = Municipality.objects.raw(
        grant_members_sql(
            f"SELECT {table}.* FROM members JOIN {table} USING (id) "  # noqa: S608 - ours
            f"WHERE members.depth > 0 {MEMBERS_ORDER}"
        ),
        {"municipality": municipality.pk, "on": on},
    )
    return [municipality, *merged]
