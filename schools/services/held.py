"""DUO locations held at import: a location of a municipality that was split by place,
which neither its postcode nor its place assigns to a successor, waits for the functional
administrator (schools.admin) instead of refusing the whole file."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Municipality, SchoolBoard
from accounts.placement import Register
from schools.models import HeldLocation, School


def hold_locations(
    held: Sequence[tuple],
    boards: dict[str, SchoolBoard],
    result,
    *,
    duo_file: str,
) -> None:
    """Keep each location that no successor could be found for, for the functional
    administrator to assign, and name it in the result."""
    for row, placement in held:
        split = placement.split
        HeldLocation.objects.update_or_create(
            brin=row.brin,
            vestiging=row.vestiging,
            split=split,
            defaults={
                "name": row.name,
                "sector": row.sector,
                "board": boards[row.board_number],
                "duo_file": duo_file,
                "place": row.place[:100],
                "postcode": row.postcode[:10],
                "reason": placement.problem,
            },
        )
        result.held.append(
            _(
                "Location %(code)s %(name)s (%(place)s, %(postcode)s), listed under "
                "%(split)s: not imported, held for the functional administrator to assign. "
                "%(reason)s"
            )
            % {
                "code": f"{row.brin}{row.vestiging}",
                "name": row.name,
                "place": row.place or "-",
                "postcode": row.postcode or "-",
                "split": split,
                "reason": placement.problem,
            }
        )


def assign_held_location(*, held: HeldLocation, municipality: Municipality, user=None) -> School:
    """Assign a held location to one of its split's successors: the school location is
    created there (or moved there), and the decision is kept for the next import."""
    successors = set(held.split.split_places.values_list("successor_id", flat=True))
    if municipality.pk not in successors:
        raise ValueError(
            _("%(name)s is not one of the successors of %(split)s.")
            % {"name": municipality, "split": held.split}
        )
    register = Register.load()
    today = timezone.localdate()
    now_in = register.place(code=municipality.code, place="", day=today).municipality
    with transaction.atomic():
        school, _created = School.objects.update_or_create(
            brin=held.brin,
            vestiging=held.vestiging,
            defaults={
                "name": held.name,
                "sector": held.sector,
                "board": held.board,
                "municipality": now_in or municipality,
                "closed_on": None,
                **({"duo_file": held.duo_file} if held.duo_file else {}),
            },
        )
        held.assigned_to = municipality
        held.assigned_by = user
        held.assigned_at = timezone.now()
        held.save(update_fields=["assigned_to", "assigned_by", "assigned_at"])
    return school
