"""Destroying a municipality's records at the end of their retention, after two approvals.

1. The portal proposes a destruction list (a beat task) for every municipality with a
   recorded settlement whose record groups' retention ran out (archive/retention.py).
2. The functional administrator and the municipality's archivist approve it: two different
   people, each for their part (archive/permissions.py).
3. Then the records of those groups and their files are deleted with their audit trail. The
   national monitor's rows of the municipality are frozen first (insight.FrozenMonitorRow),
   so its figures stay what they were; the list remains as the log of what was destroyed,
   by whose approval and when.
"""

from __future__ import annotations

import datetime
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Municipality, User
from archive import permissions
from archive.groups import GROUPS
from archive.models import DestructionItem, DestructionList, DestructionStatus, RecordGroup
from archive.package import member_ids
from archive.retention import due_groups, settlement_date
from finance.summary import refresh_spending_summary
from npo_portal.queueing import QUEUE_DOWN_MESSAGE, enqueue

logger = logging.getLogger(__name__)

ADMINISTRATOR, ARCHIVIST = "administrator", "archivist"
CARRY_OUT = "archive.tasks.carry_out_destruction"


def _record_count(group: str, members: list[int]) -> int:
    return sum(table.rows(members).count() for table in GROUPS[group].tables)


@transaction.atomic
def propose_list(*, municipality: Municipality, today: datetime.date) -> DestructionList | None:
    """Propose destroying the municipality's record groups whose retention ran out and that
    still hold records; None when there is nothing to propose or a list is already open."""
    if DestructionList.objects.filter(
        municipality=municipality,
        status__in=[DestructionStatus.PROPOSED, DestructionStatus.APPROVED],
    ).exists():
        return None
    members = member_ids(municipality)
    due = [
        (entry, count)
        for entry in due_groups(municipality=municipality, today=today)
        if entry.rule.record_group in GROUPS
        and (count := _record_count(entry.rule.record_group, members))
    ]
    if not due:
        return None
    destruction_list = DestructionList.objects.create(
        municipality=municipality,
        municipality_code=municipality.code,
        municipality_name=municipality.name,
        settled_on=settlement_date(municipality),
    )
    DestructionItem.objects.bulk_create(
        DestructionItem(
            destruction_list=destruction_list,
            record_group=entry.rule.record_group,
            category=entry.rule.category,
            years=entry.rule.years,
            action_date=entry.action_date,
            records=count,
        )
        for entry, count in due
    )
    return destruction_list


def propose_lists(*, today: datetime.date) -> list[DestructionList]:
    """Every municipality's destruction list that is due today (the beat task's work)."""
    from django.apps import apps

    if not apps.is_installed("settlement"):
        return []
    settled = apps.get_model("settlement", "Settlement").objects.values("municipality_id")
    proposed = []
    for municipality in Municipality.objects.filter(pk__in=settled).order_by("code"):
        destruction_list = propose_list(municipality=municipality, today=today)
        if destruction_list is not None:
            proposed.append(destruction_list)
    return proposed


def approval_role(*, user: User, destruction_list: DestructionList) -> str | None:
    """The approval `user` may still give to the list: the administrator's or the
    archivist's; None when they may give none (or already gave theirs)."""
    if destruction_list.status != DestructionStatus.PROPOSED:
        return None
    municipality = destruction_list.municipality
    if (
        permissions.can_approve_as_administrator(user)
        and destruction_list.admin_approved_by_id is None
        and destruction_list.archivist_approved_by_id != user.pk
    ):
        return ADMINISTRATOR
    if (
        permissions.can_approve_as_archivist(user, municipality)
        and destruction_list.archivist_approved_by_id is None
        and destruction_list.admin_approved_by_id != user.pk
    ):
        return ARCHIVIST
    return None


def approve(*, destruction_list: DestructionList, user: User) -> DestructionList:
    """Record `user`'s approval; with both approvals the destruction is queued."""
    with transaction.atomic():
        locked = DestructionList.objects.select_for_update().get(pk=destruction_list.pk)
        role = approval_role(user=user, destruction_list=locked)
        if role is None:
            raise ValidationError(
                _(
                    "You cannot approve this list: it is no longer open, you already "
                    "approved it, or the other approval must come from someone else."
                )
            )
        now = timezone.now()
        name = user.get_full_name() or user.username
        if role == ADMINISTRATOR:
            locked.admin_approved_by, locked.admin_approved_at = user, now
            locked.admin_approved_name = name
        else:
            locked.archivist_approved_by, locked.archivist_approved_at = user, now
            locked.archivist_approved_name = name
        if locked.admin_approved_by_id and locked.archivist_approved_by_id:
            locked.status = DestructionStatus.APPROVED
        locked.save()
        if locked.status == DestructionStatus.APPROVED:
            _enqueue(locked)
    return locked


def _enqueue(destruction_list: DestructionList) -> None:
    def not_queued():
        # The approvals stand; the next nightly run queues the destruction again.
        DestructionList.objects.filter(pk=destruction_list.pk).update(
            failure_reason=str(QUEUE_DOWN_MESSAGE)
        )

    enqueue(
        CARRY_OUT,
        destruction_list.pk,
        on_failure=not_queued,
        on_queued=lambda task_id: DestructionList.objects.filter(pk=destruction_list.pk).update(
            task_id=task_id
        ),
    )


def approved_waiting():
    """Approved lists whose destruction was not queued (the broker was down)."""
    return DestructionList.objects.filter(status=DestructionStatus.APPROVED).exclude(
        failure_reason=""
    )


def requeue(destruction_list: DestructionList) -> None:
    DestructionList.objects.filter(pk=destruction_list.pk).update(failure_reason="", task_id="")
    _enqueue(destruction_list)


def _holders(municipality: Municipality) -> set[int]:
    """The monitor rows a municipality's records count in: its own, and after a merger those
    of its successors."""
    holders, current = set(), municipality
    while current is not None and current.pk not in holders:
        holders.add(current.pk)
        current = current.successor
    return holders


def _delete_group(group: str, members: list[int]) -> tuple[int, list]:
    """Delete the group's rows and then their audit trail, children first; return the number
    of rows and the files to remove from the storage once committed."""
    spec = GROUPS[group]
    files = []
    file_fields = dict(spec.file_fields)
    deleted = 0
    for table in reversed(spec.tables):
        rows = table.rows(members)
        for field_name in file_fields.get(table.name, ()):
            storage = table.model_class._meta.get_field(field_name).storage
            names = rows.exclude(**{field_name: ""}).values_list(field_name, flat=True)
            files.extend((storage, name) for name in names if name)
        count = rows.count()
        rows.model._default_manager.filter(pk__in=list(rows.values_list("pk", flat=True))).delete()
        deleted += count
        # After the rows: deleting them writes one more history entry each. The parents the
        # path runs through still exist (children go first).
        history = table.history_rows(members)
        if history is not None:
            history.delete()
    return deleted, files


def carry_out(*, destruction_list_id: int) -> DestructionList | None:
    """Destroy the approved list's record groups: freeze the monitor's rows, delete the
    records, their audit trail and their files, and note on the list what was destroyed.
    A list that is not approved (or already carried out) is left alone."""
    from insight.frozen import freeze_monitor_rows

    destruction_list = (
        DestructionList.objects.select_related("municipality")
        .filter(pk=destruction_list_id, status=DestructionStatus.APPROVED)
        .first()
    )
    if destruction_list is None:
        return None
    municipality = destruction_list.municipality
    members = member_ids(municipality)
    files = []
    with transaction.atomic():
        locked = DestructionList.objects.select_for_update().get(pk=destruction_list.pk)
        if locked.status != DestructionStatus.APPROVED:
            return None
        freeze_monitor_rows(municipality_ids=_holders(municipality))
        # Children before parents: expenditures point at interventions, budgets too.
        order = list(GROUPS)
        items = sorted(locked.items.all(), key=lambda item: -order.index(item.record_group))
        for item in items:
            deleted, group_files = _delete_group(item.record_group, members)
            if item.record_group == RecordGroup.EXPENDITURES:
                # The summary finance's totals read is a function of the expenditures.
                refresh_spending_summary(municipality_ids=members)
            files.extend(group_files)
            item.destroyed_records = deleted
            item.destroyed_files = len(group_files)
            item.save(update_fields=["destroyed_records", "destroyed_files"])
        locked.status = DestructionStatus.DESTROYED
        locked.destroyed_at = timezone.now()
        locked.failure_reason = ""
        locked.save()

    def remove_files():
        for storage, name in files:
            storage.delete(name)

    transaction.on_commit(remove_files)
    logger.info(
        "Destruction list %s carried out for %s: %s",
        locked.pk,
        municipality.code,
        ", ".join(f"{i.record_group} {i.destroyed_records}" for i in items),
    )
    return locked


def record_failure(*, destruction_list_id: int, reason: str) -> None:
    DestructionList.objects.filter(
        pk=destruction_list_id, status=DestructionStatus.APPROVED
    ).update(status=DestructionStatus.FAILED, failure_reason=reason[:2000])
