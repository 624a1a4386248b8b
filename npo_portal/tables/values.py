"""The values people type in a table: amounts, dates, municipality codes, text."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from npo_portal.tables.limits import excerpt

DUTCH_AMOUNT = re.compile(r"^-?\d{1,3}(\.\d{3})*(,\d{1,2})?$|^-?\d+(,\d{1,2})?$")
PLAIN_AMOUNT = re.compile(r"^-?\d+(\.\d{1,2})?$")
THOUSANDS_ONLY = re.compile(r"^-?\d{1,3}(\.\d{3})+$")
DUTCH_DATE = re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{4})$")
ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
MUNICIPALITY_CODE = re.compile(r"^(?:GM)?(\d{1,4})$", re.IGNORECASE)


def parse_amount(value) -> Decimal:
    """`1.234.567,89`, `-1234,5`, `1234567.89` or a spreadsheet number, as Decimal euros."""
    if isinstance(value, bool):
        raise ValueError(_("'%(value)s' is not an amount") % {"value": excerpt(value)})
    if isinstance(value, int | Decimal):
        amount = Decimal(value)
    elif isinstance(value, float):
        amount = Decimal(repr(value))  # the spreadsheet's number as it displays it
    else:
        text = str(value).replace("€", "").replace("\N{NO-BREAK SPACE}", "").replace(" ", "")
        if not text:
            raise ValueError(_("empty, an amount is required"))
        if "," in text or THOUSANDS_ONLY.match(text):
            # Dutch: dots group thousands, a comma marks the cents ("1.234" is 1234 euros).
            if not DUTCH_AMOUNT.match(text):
                raise ValueError(_("'%(value)s' is not an amount") % {"value": excerpt(value)})
            text = text.replace(".", "").replace(",", ".")
        elif not PLAIN_AMOUNT.match(text):
            raise ValueError(_("'%(value)s' is not an amount") % {"value": excerpt(value)})
        amount = Decimal(text)
    try:
        cents = amount.quantize(Decimal("0.01"))
    except InvalidOperation as error:
        raise ValueError(_("'%(value)s' is not an amount") % {"value": excerpt(value)}) from error
    if cents != amount:
        raise ValueError(_("'%(value)s' has more than two decimals") % {"value": excerpt(value)})
    if abs(cents) >= Decimal("1e12"):
        raise ValueError(_("'%(value)s' is too large") % {"value": excerpt(value)})
    return cents


def parse_date(value) -> datetime.date:
    """A date as dd-mm-jjjj or jjjj-mm-dd, or a spreadsheet date."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    if not text:
        raise ValueError(_("empty, a date is required"))
    # Regular expressions instead of strptime: an import parses 100,000 dates twice.
    match = DUTCH_DATE.match(text)
    if match:
        day, month, year = match.groups()
    else:
        match = ISO_DATE.match(text)
        if match:
            year, month, day = match.groups()
    if match:
        try:
            return datetime.date(int(year), int(month), int(day))
        except ValueError:
            pass
    raise ValueError(
        _("'%(value)s' is not a date; write dd-mm-jjjj or jjjj-mm-dd") % {"value": excerpt(value)}
    )


def parse_municipality_code(value) -> str:
    """`GM0687`, `0687` or `687` (as DUO writes it) → `GM0687`."""
    match = MUNICIPALITY_CODE.match(str(value).strip())
    if not match:
        raise ValueError(
            _("'%(value)s' is not a CBS municipality code such as GM0687 or 0687")
            % {"value": excerpt(value)}
        )
    return f"GM{int(match.group(1)):04d}"


def text(value) -> str:
    """A cell as clean text (spreadsheet numbers such as invoice numbers without '.0')."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())
