"""The API's strict field types and the limits they share: amounts and dates in one plain
notation only, texts without control characters."""

from __future__ import annotations

import re
from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.fields import empty

from npo_portal import tables

MAX_BULK_ROWS = 1000
# What `quick_row` takes as plainly valid; anything else goes through the serializer.
PLAIN_DAY = re.compile(r"\d{4}-\d{2}-\d{2}\Z", re.ASCII)
PLAIN_AMOUNT = re.compile(r"-?\d{1,12}(?:\.\d{1,2})?\Z", re.ASCII)
# What a text may not hold besides its length: the control characters the file import
# refuses (tables.parse_text) and, as DRF's CharField, surrogate characters.
REFUSED_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


class StrictAmount(serializers.DecimalField):
    """An amount as the file import reads one (tables.parse_amount), written the plain
    way: `-1234.50`. No exponent, no other digits than 0-9, no negative zero."""

    def to_internal_value(self, data):
        # A JSON number with a fraction or exponent arrives as a float, which cannot hold
        # cents exactly (and hides whether "1e9" was written): amounts are text or whole.
        if isinstance(data, bool) or not isinstance(data, str | int | Decimal):
            self.fail("invalid")
        text = str(data)
        try:
            amount = tables.parse_amount(text)
        except ValueError as error:
            raise serializers.ValidationError(str(error)) from error
        if not PLAIN_AMOUNT.match(text):  # 1.500,00 in a file; 1500.00 here
            raise serializers.ValidationError(
                _("'%(value)s': the API takes amounts written as 1234.50")
                % {"value": tables.excerpt(text)}
            )
        return amount


class StrictDate(serializers.DateField):
    """A date as the file import reads one (tables.parse_date), written YYYY-MM-DD with
    zeros, in 2000-2100."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid", format="YYYY-MM-DD")
        try:
            day = tables.parse_date(data)
        except ValueError as error:
            raise serializers.ValidationError(str(error)) from error
        if not PLAIN_DAY.match(data):  # 01-03-2023 in a file; 2023-03-01 here
            raise serializers.ValidationError(
                _("'%(value)s': the API takes dates written as YYYY-MM-DD")
                % {"value": tables.excerpt(data)}
            )
        return day


class Text(serializers.CharField):
    """A text as the file import reads one (tables.parse_text): no control characters such
    as BEL or ESC, runs of spaces and line breaks read as one space. A JSON string only, its
    length counted as sent (the schema's maxLength), before the padding is taken off."""

    def run_validation(self, data=empty):
        if data is not empty and data is not None:
            if not isinstance(data, str):
                self.fail("invalid")
            if self.max_length is not None and len(data) > self.max_length:
                self.fail("max_length", max_length=self.max_length)
        return super().run_validation(data)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        try:
            return tables.parse_text(value)
        except ValueError as error:
            raise serializers.ValidationError(str(error)) from error


def Amount(**kwargs):
    return StrictAmount(max_digits=14, decimal_places=2, coerce_to_string=True, **kwargs)


def IsoDate(**kwargs):
    return StrictDate(format="iso-8601", input_formats=["iso-8601"], **kwargs)
