"""Closing and reopening a year once its accountability report is final."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.models import Municipality, User
from finance.models import (
    YearClosing,
)
from settlement.closed import refuse_if_closed

logger = logging.getLogger(__name__)


def close_year(
    *, municipality: Municipality, year: int, user: User | None, note: str = ""
) -> YearClosing:
    """Freeze the expenditures of `year` once its accountability report is final. Closing a
    closed year again changes nothing."""
    closing, _created = YearClosing.objects.get_or_create(
        municipality=municipality, year=year, defaults={"closed_by": user, "note": note}
    )
    return closing


def reopen_year(*, municipality: Municipality, year: int, user: User | None, reason: str) -> bool:
    """Reopen a closed year after the functional administrator documented why (the reason is
    kept by the caller's record). Returns whether the year was closed."""
    refuse_if_closed(municipality)
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for reopening the year.")})
    deleted, _rows = YearClosing.objects.filter(municipality=municipality, year=year).delete()
    logger.info("Year %s of %s reopened by %s: %s", year, municipality, user, reason)
    return bool(deleted)
