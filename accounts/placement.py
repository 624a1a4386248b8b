"""Where a location that a DUO file lists under an old municipality lies: the register in
memory, with the split municipalities' place names (as DUO spells them) and postcode areas,
so that an import places thousands of rows with two queries."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from accounts.register import duo_place_keys, fold_place_key, place_key, postcode_area
from accounts.split_postcodes import read_shipped_postcodes


@dataclass(frozen=True)
class Placement:
    """The municipality a listed code and place come to on a day, or why none."""

    municipality: object | None  # accounts.models.Municipality
    listed: object | None  # the municipality the file names, when it ended before the day
    problem: str = ""
    # For a location of a split that neither its postcode nor its place decides: the split
    # municipality, so that an import can hold the location instead of refusing the file.
    split: object | None = None


@dataclass
class Register:
    """The whole register in memory (two queries), to place thousands of rows quickly."""

    by_code: dict = field(default_factory=dict)
    by_pk: dict = field(default_factory=dict)
    places: dict = field(default_factory=dict)  # split pk → {folded place key: successor}
    postcodes: dict = field(default_factory=dict)  # split pk → {PC4: successor}

    @classmethod
    def load(cls) -> Register:
        from accounts.models import Municipality, SplitPlace

        register = cls()
        for municipality in Municipality.objects.all():
            register.by_code[municipality.code] = municipality
            register.by_pk[municipality.pk] = municipality
        for place in SplitPlace.objects.all():
            register.places.setdefault(place.municipality_id, {})[
                fold_place_key(place_key(place.place))
            ] = register.by_pk[place.successor_id]
        for row in read_shipped_postcodes():
            split, successor = register.by_code.get(row.split), register.by_code.get(row.successor)
            if split is not None and successor is not None:
                register.postcodes.setdefault(split.pk, {})[row.area] = successor
        return register

    def _split_successor(self, municipality, place: str, postcode: str):
        """The successor that a split gave the location to, by postcode area and by place
        as DUO spells it, or the reason neither decides."""
        by_postcode = self.postcodes.get(municipality.pk, {}).get(postcode_area(postcode) or "")
        places = self.places.get(municipality.pk, {})
        by_place = next((places[key] for key in duo_place_keys(place) if key in places), None)
        if by_postcode and by_place and by_postcode != by_place:
            return None, _(
                "%(name)s (%(code)s) was split by place on %(day)s; the postcode %(postcode)s "
                "lies in %(by_postcode)s, but the place “%(place)s” went to %(by_place)s."
            ) % {
                "name": municipality.name,
                "code": municipality.code,
                "day": _split_day(municipality),
                "postcode": postcode,
                "by_postcode": by_postcode.name,
                "place": place,
                "by_place": by_place.name,
            }
        if by_postcode or by_place:
            return by_postcode or by_place, ""
        return None, _(
            "%(name)s (%(code)s) was split by place on %(day)s and the place “%(place)s” "
            "went to none of its successors (%(successors)s)."
        ) % {
            "name": municipality.name,
            "code": municipality.code,
            "day": _split_day(municipality),
            "place": place,
            "successors": ", ".join(
                sorted(
                    {m.name for m in places.values()}
                    | {m.name for m in self.postcodes.get(municipality.pk, {}).values()}
                )
            ),
        }

    def place(self, *, code: str, place: str, day: datetime.date, postcode: str = "") -> Placement:
        """The municipality that holds, on `day`, a location that a file lists under `code`
        in `place`: the listed municipality while it exists, else its successor on that day
        (through several reorganisations); for a split, the postcode area and the place as
        DUO spells it decide (a location they place in different successors, or neither
        places, has no municipality and names the split)."""
        listed = municipality = self.by_code.get(code)
        if municipality is None:
            return Placement(
                None, None, _("no municipality has the code %(code)s.") % {"code": code}
            )
        seen = set()
        while municipality.valid_until and municipality.valid_until < day:
            if municipality.pk in seen:
                break
            seen.add(municipality.pk)
            if municipality.successor_id:
                municipality = self.by_pk[municipality.successor_id]
            elif municipality.pk in self.places or municipality.pk in self.postcodes:
                successor, problem = self._split_successor(municipality, place, postcode)
                if successor is None:
                    return Placement(None, listed, problem, split=municipality)
                municipality = successor
            else:
                break
        return Placement(municipality, listed if municipality is not listed else None)


def _split_day(municipality) -> str:
    return (municipality.valid_until + datetime.timedelta(days=1)).strftime("%d-%m-%Y")


def placed_lines(mapped: dict[str, dict[str, int]]) -> list[str]:
    """One line per old municipality of an import: how many locations went to which
    successor (`mapped`: old name → {successor name: count})."""
    return [
        _("%(old)s: %(count)d location(s), to %(where)s.")
        % {
            "old": old,
            "count": sum(targets.values()),
            "where": ", ".join(f"{name} ({count})" for name, count in sorted(targets.items())),
        }
        for old, targets in sorted(mapped.items())
    ]
