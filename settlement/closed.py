"""Whether a municipality's programme is closed: the one question every app's permission
functions and services ask before a write. Imports only this app's models (see models.py).

Asked on nearly every page, so the answer is cached; every closing and reopening (a save
of a `Closure`) moves the cache's generation on, which forgets all earlier answers.
"""

from __future__ import annotations

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext as _

from settlement.models import GENERATION_KEY, Closure

# A short life bounds how long a process with a cache of its own (development's local
# memory) may miss another process's closing; the shared cache forgets at once.
ANSWER_SECONDS = 60


def _closed_in_database(municipality_id: int) -> bool:
    # After a merger the successor's closing closes the predecessor's books too (up to two
    # mergers deep, as `accounts.scoping.municipality_and_predecessors`).
    return (
        Closure.objects.current()
        .filter(
            Q(municipality_id=municipality_id)
            | Q(municipality__predecessors__id=municipality_id)
            | Q(municipality__predecessors__predecessors__id=municipality_id)
        )
        .exists()
    )


def is_closed_id(municipality_id: int | None) -> bool:
    """Whether the programme is closed for the municipality `municipality_id` (or for the
    successor holding its grant). None (no municipality) is never closed."""
    if municipality_id is None:
        return False
    generation = cache.get_or_set(GENERATION_KEY, 1, None)
    return cache.get_or_set(
        f"programme-closed:{generation}:{municipality_id}",
        lambda: _closed_in_database(municipality_id),
        ANSWER_SECONDS,
    )


def is_closed(municipality) -> bool:
    """`is_closed_id` for a municipality object (or None)."""
    return is_closed_id(municipality.pk if municipality is not None else None)


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
