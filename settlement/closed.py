"""Whether a municipality's programme is closed: the one question every app's permission
functions and services ask before a write. Imports only this app's models (see models.py).

Asked on nearly every page, so the answer is cached with the generation it was given in;
every closing and reopening (a save of a `Closure`) moves the cache's generation on, which
forgets all earlier answers. A page asks it several times (the permission functions, the
closed notice): within one request the first answer is kept, so the cache is asked once per
municipality and request, in one round trip for the generation and the answer (issue 32: it
was two round trips per question). Outside a request (tasks, commands) nothing is kept.
"""

from __future__ import annotations

from asgiref.local import Local
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.signals import request_finished, request_started
from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext as _

from settlement.models import GENERATION_KEY, Closure

# A short life bounds how long a process with a cache of its own (development's local
# memory) may miss another process's closing; the shared cache forgets at once.
ANSWER_SECONDS = 60

# The answers given during the current request (None outside a request).
_this_request = Local()


def _begin_request(**kwargs) -> None:
    _this_request.answers = {}


def _end_request(**kwargs) -> None:
    _this_request.answers = None


def forget_this_requests_answers() -> None:
    """After a closing or reopening: the current request asks the cache again too."""
    if getattr(_this_request, "answers", None) is not None:
        _this_request.answers = {}


def _closure_changed(**kwargs) -> None:
    forget_this_requests_answers()


request_started.connect(_begin_request, dispatch_uid="settlement-closed-begin")
request_finished.connect(_end_request, dispatch_uid="settlement-closed-end")
# A closing or reopening (a Closure saved or deleted): models.py moves the cache's generation
# on; the answers of this request are forgotten here, so the models need not import this.
post_save.connect(_closure_changed, sender=Closure, dispatch_uid="settlement-closed-saved")
post_delete.connect(_closure_changed, sender=Closure, dispatch_uid="settlement-closed-deleted")


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


def _cached_answer(municipality_id: int) -> bool:
    """The cached answer if it is of the current generation, else the database's. The
    generation and the answer are read in one round trip (issue 32: two on every page)."""
    key = f"programme-closed:{municipality_id}"
    found = cache.get_many([GENERATION_KEY, key])
    generation = found.get(GENERATION_KEY)
    if generation is None:
        generation = cache.get_or_set(GENERATION_KEY, 1, None)
    stored = found.get(key)
    if stored is not None and stored[0] == generation:
        return stored[1]
    closed = _closed_in_database(municipality_id)
    cache.set(key, (generation, closed), ANSWER_SECONDS)
    return closed


def is_closed_id(municipality_id: int | None) -> bool:
    """Whether the programme is closed for the municipality `municipality_id` (or for the
    successor holding its grant). None (no municipality) is never closed."""
    if municipality_id is None:
        return False
    answers = getattr(_this_request, "answers", None)
    if answers is not None and municipality_id in answers:
        return answers[municipality_id]
    closed = _cached_answer(municipality_id)
    if answers is not None:
        answers[municipality_id] = closed
    return closed


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
