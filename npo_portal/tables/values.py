"""The values people type in a table or send to the API: amounts, dates, codes (CBS
municipality code, BRIN, location and board numbers) and text. One reading for the file
imports and the API, so that neither takes what the other refuses (README: "Amounts and
dates, in files and in the API")."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from npo_portal.tables.limits import CONTROL_CHARACTER, excerpt

# ASCII digits only: Python's \d also takes Arabic-Indic and other digits ("١٢").
DUTCH_AMOUNT = re.compile(r"^-?\d{1,3}(\.\d{3})*(,\d{1,2})?$|^-?\d+(,\d{1,2})?$", re.ASCII)
PLAIN_AMOUNT = re.compile(r"^-?\d+(\.\d{1,2})?$", re.ASCII)
# "1.500" alone: 1500 euros written the Dutch way, or 1.5 with three decimals? Refused.
LONE_THOUSANDS = re.compile(r"^-?\d{1,3}\.\d{3}$", re.ASCII)
DUTCH_DATE = re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{4})$", re.ASCII)
# ISO dates are written by machines: always zero-padded.
ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$", re.ASCII)
# The years a date of the programme (and its reports) can lie in; anything else is a typo.
FIRST_YEAR, LAST_YEAR = 2000, 2100
MUNICIPALITY_CODE = re.compile(r"^(?:GM)?(\d{1,4})$", re.IGNORECASE | re.ASCII)
BRIN = re.compile(r"^\d{2}[0-9A-Z]{2}$", re.ASCII)
LOCATION_NUMBER = re.compile(r"^\d{1,2}$", re.ASCII)
BOARD_NUMBER = re.compile(r"^\d{1,5}$", re.ASCII)


def parse_amount(value) -> Decimal:
    """`1.234.567,89`, `-1234,5`, `1234567.89` or a spreadsheet number, as Decimal euros.

    The thousands separator is read only where it cannot be a decimal point: a dot groups
    thousands when a comma marks the cents (`1.500,00`) or when there are several groups
    (`1.234.567`); a lone `1.500` is refused (1500 euros, or 1.5 written with three
    decimals?), and a dot followed by one or two digits is the decimal point (`1.5`)."""
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
        if LONE_THOUSANDS.match(text):
            raise ValueError(
                _(
                    "'%(value)s' is ambiguous: a dot before three digits may group thousands "
                    "or mark the decimals; write 1500 or 1.500,00, or 1.50"
                )
                % {"value": excerpt(value)}
            )
        if "," in text or text.count(".") > 1:
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
    if cents == 0 and cents.is_signed():
        raise ValueError(_("'%(value)s' is a negative zero; write 0") % {"value": excerpt(value)})
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
            day = datetime.date(int(year), int(month), int(day))
        except ValueError:
            pass
        else:
            if not FIRST_YEAR <= day.year <= LAST_YEAR:
                raise ValueError(
                    _("'%(value)s' lies outside the years %(first)s to %(last)s")
                    % {"value": excerpt(value), "first": FIRST_YEAR, "last": LAST_YEAR}
                )
            return day
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


def parse_brin(value) -> str:
    """A school's BRIN number (instellingscode), `12ab` → `12AB`."""
    written = str(value).strip().upper()
    if not BRIN.match(written):
        raise ValueError(
            _("“%(value)s” is not a BRIN number (four characters, e.g. 12AB)")
            % {"value": excerpt(value)}
        )
    return written


def parse_location_number(value) -> str:
    """A school location's number within its BRIN, `0` → `00`."""
    written = str(value).strip()
    if not LOCATION_NUMBER.match(written):
        raise ValueError(
            _("“%(value)s” is not a location number (two digits, e.g. 00)")
            % {"value": excerpt(value)}
        )
    return written.zfill(2)


def parse_board_number(value) -> str:
    """A school board's bevoegd-gezagnummer, `4300` → `04300`."""
    written = str(value).strip()
    if not BOARD_NUMBER.match(written):
        raise ValueError(
            _("“%(value)s” is not a bevoegd-gezagnummer (five digits)") % {"value": excerpt(value)}
        )
    return written.zfill(5)


def parse_text(value) -> str:
    """A typed text as `text` gives it, refusing a control character (BEL, ESC, NUL …), which
    no typed text holds: the file readers refuse a file with one, the API a field."""
    control = CONTROL_CHARACTER.search(str(value))
    if control:
        raise ValueError(
            _("the text contains a control character (code %(code)s), which no typed text holds")
            % {"code": ord(control.group())}
        )
    return text(value)


def text(value) -> str:
    """A cell as clean text (spreadsheet numbers such as invoice numbers without '.0')."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())
