"""Payments of the grant received by a municipality."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.models import Municipality, User
from finance.models import (
    Payment,
)
from finance.selectors import finance_programme
from finance.services.rules import future_problem, refuse_outside_existence
from settlement.closed import refuse_if_closed


def record_payment(
    *,
    municipality: Municipality,
    user: User | None,
    date: datetime.date,
    amount: Decimal,
    reference: str = "",
) -> Payment:
    """Record a payment of the grant received by the municipality, on a day it existed."""
    refuse_if_closed(municipality)
    if amount == 0:
        raise ValidationError({"amount": _("A payment of zero euros is not a payment.")})
    if problem := future_problem(date):
        raise ValidationError({"date": problem})
    refuse_outside_existence(municipality, date, payment=True)
    return Payment.objects.create(
        programme=finance_programme(),
        municipality=municipality,
        date=date,
        amount=amount,
        reference=reference,
        recorded_by=user,
    )
