"""The postcode table of the municipalities that were split by place
(accounts/data/postcodes_bij_splitsing.csv): which four-digit postcode area went to which
successor. Its lines starting with `#` are its header, naming the sources and their year."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from django.utils.translation import gettext as _

from accounts.register import (
    DATA,
    RegisterRejected,
    RegisterRow,
    is_split_successor,
    parse_code_cell,
    read_rows,
    read_shipped_register,
    row_message,
)

SPLIT_POSTCODES_FILE = DATA / "postcodes_bij_splitsing.csv"
SPLIT_POSTCODE_COLUMNS = ("gemeentecode", "postcode", "opgegaan_in", "bevestigd")


@dataclass(frozen=True)
class SplitPostcode:
    split: str  # the split municipality's code
    area: str  # PC4
    successor: str
    confirmed: bool


def parse_split_postcodes(content: bytes, by_code: dict[str, RegisterRow]) -> list[SplitPostcode]:
    """The postcode table of the splits: lines starting with `#` are its header (source and
    year); each area of a split names one of its successors, once. Raises RegisterRejected."""
    text = content.decode("utf-8-sig")
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    errors: list[str] = []
    found: list[SplitPostcode] = []
    seen: dict[tuple[str, str], int] = {}
    for number, row in read_rows(body.encode(), SPLIT_POSTCODE_COLUMNS, errors):
        code = parse_code_cell(row["gemeentecode"], number, "gemeentecode", errors)
        successor = parse_code_cell(row["opgegaan_in"], number, "opgegaan_in", errors)
        area = row["postcode"]
        if not re.fullmatch(r"\d{4}", area):
            errors.append(
                row_message(
                    number,
                    "postcode",
                    _("“%(value)s” is not a four-digit postcode area.") % {"value": area},
                )
            )
            continue
        if row["bevestigd"].lower() not in ("ja", "nee"):
            errors.append(row_message(number, "bevestigd", _("write ja or nee.")))
            continue
        if code is None or successor is None:
            continue
        if not is_split_successor(code, successor, by_code, number, errors):
            continue
        if (code, area) in seen:
            errors.append(
                row_message(
                    number,
                    "postcode",
                    _("%(place)s also appears in row %(other)d.")
                    % {"place": area, "other": seen[(code, area)]},
                )
            )
            continue
        seen[(code, area)] = number
        found.append(SplitPostcode(code, area, successor, row["bevestigd"].lower() == "ja"))
    if errors:
        raise RegisterRejected(errors)
    return found


@lru_cache(maxsize=1)
def read_shipped_postcodes() -> tuple[SplitPostcode, ...]:
    """The postcode table of the splits as the portal ships it."""
    by_code = {row.code: row for row in read_shipped_register().municipalities}
    return tuple(parse_split_postcodes(SPLIT_POSTCODES_FILE.read_bytes(), by_code))
