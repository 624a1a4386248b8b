"""The one place that decides which rows of organisation-owned data a user may see.

Every scoped model's queryset inherits from `ScopedQuerySet` and names the lookup paths to
the municipality and/or the school board that owns a row. Views start from
`Model.objects.for_user(user)`; a user without an organisation sees nothing (fail closed).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.apps import apps
from django.db import models
from django.db.models import Q

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User


def scope_filter(
    user: User | AnonymousUser,
    *,
    municipality_path: str | None,
    school_board_path: str | None,
    school_board_condition: Callable[[int], Q | None] | None = None,
) -> Q | None:
    """The filter for rows `user` may see, `Q()` for everything, or None for nothing.

    `school_board_condition`, when given, builds a board's filter from its primary key for
    rows that a board reaches other than by a plain lookup path (e.g. through its schools).
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.is_functional_admin:
        return Q()
    if user.municipality_id is not None and municipality_path:
        return Q(
            **{f"{municipality_path}__in": municipality_and_predecessors(user.municipality_id)}
        )
    if user.school_board_id is not None and school_board_condition is not None:
        # None from the condition means the board owns no such rows: fail closed.
        return school_board_condition(user.school_board_id)
    if user.school_board_id is not None and school_board_path:
        return Q(**{school_board_path: user.school_board_id})
    return None


def municipality_and_predecessors(municipality_id: int):
    """A subquery of the municipality and of those merged into it (up to two mergers deep):
    after a merger the successor's staff account for the predecessors' grant too."""
    municipality = apps.get_model("accounts", "Municipality")
    return municipality.objects.filter(
        Q(pk=municipality_id)
        | Q(successor_id=municipality_id)
        | Q(successor__successor_id=municipality_id)
    ).values("pk")


class ScopedQuerySet(models.QuerySet):
    """A queryset whose rows belong to a municipality and/or a school board.

    Subclasses set `municipality_path` and `school_board_path` to the lookup (e.g.
    "plan__municipality") that leads to the owner's primary key; None means users of that
    kind of organisation never own such rows.
    """

    municipality_path: str | None = None
    school_board_path: str | None = None

    def school_board_condition(self, board_id: int) -> Q | None:
        """The rows of board `board_id`; override when a board reaches rows other than
        through `school_board_path` (e.g. through its schools)."""
        return Q(**{self.school_board_path: board_id}) if self.school_board_path else None

    def for_user(self, user: User | AnonymousUser) -> ScopedQuerySet:
        condition = scope_filter(
            user,
            municipality_path=self.municipality_path,
            school_board_path=self.school_board_path,
            school_board_condition=self.school_board_condition,
        )
        return self.none() if condition is None else self.filter(condition)
