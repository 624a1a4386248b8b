"""What the token pages show."""

from __future__ import annotations

from django.db.models import Count

from accounts.models import Municipality
from api.models import ApiRequest, ApiToken


def tokens_of(*, municipality: Municipality) -> list[ApiToken]:
    """The municipality's tokens, newest first, each with `request_count`."""
    return list(
        ApiToken.objects.filter(municipality=municipality)
        .select_related("created_by", "revoked_by")
        .annotate(request_count=Count("requests"))
    )


def recent_requests(*, municipality: Municipality, limit: int = 50) -> list[ApiRequest]:
    """The last requests made with any of the municipality's tokens."""
    return list(
        ApiRequest.objects.filter(token__municipality=municipality).select_related("token")[:limit]
    )
