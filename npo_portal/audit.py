"""Who changed what: the audit trail's entries and diffs, and refusing edits over a newer version.

Shared by the plan's history page, the finance history page, every form that edits a
versioned object and every service that saves such a form.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache

from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.db.models import IntegerField, OuterRef, Subquery, Value
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from npo_portal.formatting import format_euro

# Bookkeeping fields that say nothing to a reader of the trail.
# Also the municipality and plan: every entry on a history page belongs to the same one.
HIDDEN_FIELDS = {
    "id",
    "version",
    "updated_at",
    "created_at",
    "duplicate_key",
    "programme",
    "municipality",
    "plan",
}

ACTIONS = {
    "+": gettext_lazy("created"),
    "~": gettext_lazy("changed"),
    "-": gettext_lazy("deleted"),
}
EMPTY = "—"


def display_value(model_field: models.Field, value, related: dict | None = None) -> str:
    """A stored value as a Dutch reader expects it: labels for choices, names for linked
    objects, euros for money and dd-mm-jjjj for dates."""
    if value is None or value == "" or value == []:
        return EMPTY
    if model_field.is_relation:
        target = (related or {}).get((model_field.related_model, value))
        return str(target) if target is not None else f"#{value}"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, Decimal):
        return format_euro(value)
    if isinstance(value, datetime.datetime):
        return date_format(value, "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return str(value)


def _label(model_field: models.Field) -> str:
    text = str(model_field.verbose_name)
    return text[:1].upper() + text[1:]


def _fields(model: type[models.Model]) -> list[models.Field]:
    return [
        f
        for f in model._meta.concrete_fields
        if f.name not in HIDDEN_FIELDS and not f.name.startswith("history_")
    ]


# ---------------------------------------------------------------------------------------
# Refusing an edit over a newer version


@dataclass(frozen=True)
class Conflict:
    label: str
    theirs: str
    yours: str


class EditConflict(ValidationError):
    """Someone else saved the object after this form was loaded; nothing was saved."""

    def __init__(self, conflicts: Sequence[Conflict], *, current_version: int):
        self.conflicts = list(conflicts)
        self.current_version = current_version
        lines = [
            _(
                "Someone else saved this in the meantime, so your changes have not been saved. "
                "Check the current values and make your change again."
            )
        ]
        lines += [
            _("%(field)s: now “%(theirs)s”, yours “%(yours)s”.")
            % {"field": c.label, "theirs": c.theirs, "yours": c.yours}
            for c in self.conflicts
        ]
        super().__init__(lines)


def lock_current(instance: models.Model, *, version: int | None) -> models.Model:
    """Lock the stored row of `instance` (which holds the submitted values) until the
    transaction ends and refuse the edit when it was loaded at another `version`.

    `version=None` means the caller does not edit through a form (admin, demo data).
    Call inside `transaction.atomic()`.
    """
    model = type(instance)
    current = model._default_manager.select_for_update().get(pk=instance.pk)
    if version is not None and current.version != version:
        raise EditConflict(
            conflicts_between(current=current, submitted=instance),
            current_version=current.version,
        )
    return current


STALE_FORM = gettext_lazy("This form is out of date or incomplete; reload the page and try again.")


class VersionField(forms.IntegerField):
    """The hidden version of the object as the form loaded it."""

    widget = forms.HiddenInput
    default_error_messages = dict.fromkeys(("required", "invalid", "min_value"), STALE_FORM)

    def __init__(self, **kwargs):
        super().__init__(min_value=0, **kwargs)


class VersionedFormMixin:
    """A form that edits a versioned object carries its version as loaded.

    Editing, the version is required: `lock_current` skips its check for `version=None`, so a
    POST without it (a crafted or truncated request) would otherwise overwrite a newer save.
    """

    def add_version_field(self, *, version: int | None) -> None:
        """`version=None`: the form creates the object, so there is nothing to compare with."""
        self.fields["version"] = VersionField(
            initial=0 if version is None else version, required=version is not None
        )

    def clean(self):
        cleaned = super().clean()
        # The user cannot correct a hidden field: say it above the form instead.
        if self._errors.pop("version", None):
            self.add_error(None, STALE_FORM)
        return cleaned


def offer_current_version(form, error: ValidationError) -> None:
    """After a refused edit the form shows the user's values again with the stored version:
    saving once more, having seen what changed, is then a deliberate overwrite."""
    if isinstance(error, EditConflict) and form.is_bound:
        form.data = form.data.copy()
        form.data[form.add_prefix("version")] = str(error.current_version)


def conflicts_between(*, current: models.Model, submitted: models.Model) -> list[Conflict]:
    """The fields where the stored object differs from what the user submitted."""
    found = []
    for model_field in _fields(type(current)):
        theirs, yours = (getattr(obj, model_field.attname) for obj in (current, submitted))
        if theirs == yours:
            continue
        related = {}
        if model_field.is_relation:
            related = {
                (model_field.related_model, pk): model_field.related_model._default_manager.filter(
                    pk=pk
                ).first()
                for pk in (theirs, yours)
                if pk is not None
            }
        found.append(
            Conflict(
                label=_label(model_field),
                theirs=display_value(model_field, theirs, related),
                yours=display_value(model_field, yours, related),
            )
        )
    return found


# ---------------------------------------------------------------------------------------
# The audit trail


@dataclass(frozen=True)
class AuditSource:
    """One kind of historical record on a history page: which rows, and how to name one."""

    queryset: models.QuerySet
    describe: Callable[[models.Model], str]


@dataclass
class Change:
    label: str
    before: str
    after: str


@dataclass
class AuditEntry:
    when: datetime.datetime
    who: str
    action: str
    action_code: str
    kind: str
    subject: str
    changes: list[Change] = field(default_factory=list)
    note: str = ""
    # How the change was made when not on a page: a merger, an API token.
    reason: str = ""


def _related_values(rows: Iterable[models.Model], fields: list[models.Field]) -> dict:
    """Every object the rows link to, one query per linked model."""
    wanted: dict[type[models.Model], set] = defaultdict(set)
    for row in rows:
        for f in fields:
            if f.is_relation and getattr(row, f.attname) is not None:
                wanted[f.related_model].add(getattr(row, f.attname))
    return {
        (model, pk): obj
        for model, pks in wanted.items()
        for pk, obj in model._default_manager.in_bulk(pks).items()
    }


def _entries(source: AuditSource, history_ids: list[int]) -> dict[int, AuditEntry]:
    """The entries for these historical rows of one source, with the diff against each
    row's previous record: three queries plus one per linked model, whatever the count."""
    history_model = source.queryset.model
    tracked = history_model.instance_type
    previous = (
        history_model._default_manager.filter(
            **{tracked._meta.pk.attname: OuterRef(tracked._meta.pk.attname)},
            history_id__lt=OuterRef("history_id"),
        )
        .order_by("-history_id")
        .values("history_id")[:1]
    )
    rows = list(
        history_model._default_manager.filter(history_id__in=history_ids)
        .select_related("history_user")
        .annotate(previous_id=Subquery(previous))
    )
    earlier = history_model._default_manager.in_bulk(
        [row.previous_id for row in rows if row.previous_id]
    )
    fields = _fields(tracked)
    related = _related_values([*rows, *earlier.values()], fields)
    entries = {}
    for row in rows:
        before = earlier.get(row.previous_id)
        changes = []
        if row.history_type != "-":
            for f in fields:
                new = getattr(row, f.attname)
                old = getattr(before, f.attname) if before is not None else None
                if before is None and new in (None, "", []):
                    continue
                if before is not None and old == new:
                    continue
                changes.append(
                    Change(
                        label=_label(f),
                        before=display_value(f, old, related) if before is not None else EMPTY,
                        after=display_value(f, new, related),
                    )
                )
        note = ""
        if row.history_type == "~" and before is None:
            # Rows created before the trail existed (or by a bulk load without history).
            note = _("Earlier values were not recorded; these are the values after the change.")
        elif row.history_type == "~" and not changes:
            note = _("Saved without changing a value.")
        user = row.history_user
        entries[row.history_id] = AuditEntry(
            when=row.history_date,
            who=(user.get_full_name() or user.username) if user else _("the system"),
            action=str(ACTIONS[row.history_type]),
            action_code=row.history_type,
            kind=str(tracked._meta.verbose_name).capitalize(),
            subject=source.describe(row),
            changes=changes,
            note=note,
            reason=row.history_change_reason or "",
        )
    return entries


@cache
def _historical_model(model: type[models.Model]) -> type[models.Model]:
    return model.history.model


def history(model: type[models.Model]) -> models.QuerySet:
    """Every historical record of `model`: `model.history.all()` without the manager class
    django-simple-history's descriptor builds anew on every access (about 0.3 ms each; the
    plan's history page asked five times, issue 32)."""
    return _historical_model(model)._default_manager.all()


def audit_page(*, sources: Sequence[AuditSource], page_number, per_page: int = 25):
    """One page of the merged history of `sources`, newest first, with diffs.

    The number of queries depends on the number of sources, not on the number of records.
    """
    index = None
    for number, source in enumerate(sources):
        part = (
            source.queryset.order_by()
            .annotate(source=Value(number, output_field=IntegerField()))
            .values_list("history_date", "history_id", "source")
        )
        index = part if index is None else index.union(part, all=True)
    page = Paginator(index.order_by("-history_date", "-history_id"), per_page).get_page(page_number)
    wanted: dict[int, list[int]] = defaultdict(list)
    for _date, history_id, number in page.object_list:
        wanted[number].append(history_id)
    found = {
        (number, history_id): entry
        for number, ids in wanted.items()
        for history_id, entry in _entries(sources[number], ids).items()
    }
    page.object_list = [found.get((number, hid)) for _d, hid, number in page.object_list]
    return page
