"""When a record group's retention runs out: counted from the date of the Minister's
settlement decision (vaststelling), by the group's retention rule."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.apps import apps

from accounts.models import Municipality
from archive.models import ArchiveAction, RecordGroup, RetentionRule


def settlement_date(municipality: Municipality) -> datetime.date | None:
    """The date of the settlement decision of the municipality's grant (after a merger the
    successor's decision covers its predecessors), or None while none is recorded."""
    if not apps.is_installed("settlement"):
        return None
    settlement = apps.get_model("settlement", "Settlement")
    return (
        settlement.objects.filter(municipality=municipality)
        .order_by("decided_on")
        .values_list("decided_on", flat=True)
        .first()
    )


@dataclass(frozen=True)
class Due:
    """A record group whose retention ran out on `action_date`."""

    rule: RetentionRule
    action_date: datetime.date


def due_groups(*, municipality: Municipality, today: datetime.date) -> list[Due]:
    """The record groups to destroy for `municipality` on `today`: a settlement is recorded,
    the group's rule says destroy, and its period since the settlement has passed."""
    settled_on = settlement_date(municipality)
    if settled_on is None:
        return []
    due = []
    rules = (
        RetentionRule.objects.filter(action=ArchiveAction.DESTROY)
        .exclude(record_group=RecordGroup.SETTLEMENT)  # kept: the closing rests on it
        .order_by("record_group")
    )
    for rule in rules:
        action_date = rule.action_date(settled_on)
        if action_date <= today:
            due.append(Due(rule, action_date))
    return due
