import datetime

from django.core.paginator import Page, Paginator
from django.utils import timezone

from accounts.models import Municipality, User
from auditing.models import AuditorAccess, AuditorGrant

ACCESS_LOG_PAGE_SIZE = 50
_CACHE = "_active_auditor_grant"


def active_grant(*, user: User, day: datetime.date | None = None) -> AuditorGrant | None:
    """The auditor's access that holds today (or `day`), for their own municipality; None
    when there is none. Asked on every request, cached on the request's user object."""
    if not getattr(user, "is_auditor", False) or user.municipality_id is None:
        return None
    day = day or timezone.localdate()
    cached = getattr(user, _CACHE, None)
    if cached is not None and cached[0] == day:
        return cached[1]
    grant = (
        AuditorGrant.objects.active_on(day)
        .filter(auditor=user, municipality_id=user.municipality_id)
        .order_by("-valid_until")
        .first()
    )
    setattr(user, _CACHE, (day, grant))
    return grant


def grants_for(*, user: User, municipality: Municipality):
    """The municipality's auditor access, current and past, newest first."""
    return (
        AuditorGrant.objects.for_user(user)
        .filter(municipality=municipality)
        .select_related("auditor", "granted_by", "revoked_by")
    )


def access_log(*, user: User, municipality: Municipality, page_number) -> Page:
    """Every request of the municipality's auditors, newest first, a page at a time."""
    entries = (
        AuditorAccess.objects.for_user(user)
        .filter(municipality=municipality)
        .select_related("auditor")
    )
    return Paginator(entries, ACCESS_LOG_PAGE_SIZE).get_page(page_number)
