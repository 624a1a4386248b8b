"""Whether a municipality's programme is closed: the one question every app's permission
functions and services ask before a write. Imports only this app's models (see models.py)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from settlement.models import Closure


def _chain_ids(municipality) -> list[int]:
    """The municipality and the successors that hold its grant (after a merger the
    successor's closing closes the predecessor's books too)."""
    ids, current, seen = [], municipality, set()
    while current is not None and current.pk not in seen:
        ids.append(current.pk)
        seen.add(current.pk)
        current = current.successor if current.successor_id else None
    return ids


def is_closed(municipality) -> bool:
    """Whether the programme is closed for `municipality` (or for the successor holding its
    grant). None (no municipality) is never closed."""
    if municipality is None:
        return False
    return Closure.objects.current().filter(municipality_id__in=_chain_ids(municipality)).exists()


def is_closed_id(municipality_id: int | None) -> bool:
    """`is_closed` for a municipality known by its id."""
    if municipality_id is None:
        return False
    from accounts.models import Municipality

    municipality = Municipality.objects.filter(pk=municipality_id).first()
    return is_closed(municipality)


def refuse_if_closed(municipality) -> None:
    """Raise PermissionDenied with a Dutch reason when the programme is closed: for services
    that change a municipality's plans, needs, money or reports."""
    if is_closed(municipality):
        raise PermissionDenied(
            _(
                "The programme of %(name)s is closed: everything is read-only. Only the "
                "functional administrator can reopen it."
            )
            % {"name": municipality.name}
        )
