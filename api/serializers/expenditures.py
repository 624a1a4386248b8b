"""Expenditures in and out: one row or a bulk push of up to MAX_BULK_ROWS, their checks
(with a quick path for rows that plainly pass), the list's filters and page, and the answers."""

from __future__ import annotations

import datetime
import functools
from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.fields import empty

from api.serializers.fields import (
    MAX_BULK_ROWS,
    PLAIN_AMOUNT,
    PLAIN_DAY,
    REFUSED_CHARACTER,
    Amount,
    IsoDate,
    Text,
)
from finance.models import Eligibility
from npo_portal import tables


@functools.cache
def _text_checks(serializer_class) -> list[tuple[str, bool, str | None, bool, int, bool]]:
    """`ExpenditureInputSerializer.text_checks` of a serializer class."""
    checks = []
    for name, field in serializer_class().fields.items():
        if not isinstance(field, serializers.CharField):
            continue
        # A field without a default that may be left out: the serializer decides.
        required = field.required or field.default is empty
        default = None if required else field.get_default()
        checks.append(
            (name, required, default, field.allow_null, field.max_length, field.allow_blank)
        )
    return checks


class ExpenditureInputSerializer(serializers.Serializer):
    """One expenditure as the financial system sends it."""

    datum = IsoDate(help_text=_("Date of the expenditure (YYYY-MM-DD)."))
    bedrag = Amount(help_text=_("Amount in euros, two decimals; negative for a credit note."))
    bestedingsdoel = Text(
        max_length=30, help_text=_("Code of the spending goal or category, or its number 1-5.")
    )
    interventie = Text(
        max_length=20,
        required=False,
        allow_blank=True,
        allow_null=True,
        default="",
        help_text=_("Code of an intervention of the municipality's plan with the same goal."),
    )
    omschrijving = Text(max_length=300, help_text=_("Description."))
    leverancier = Text(
        max_length=200, required=False, allow_blank=True, default="", help_text=_("Supplier.")
    )
    factuurnummer = Text(
        max_length=100,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Invoice number."),
    )
    extern_id = Text(
        max_length=100,
        required=False,
        allow_null=True,
        allow_blank=True,
        default=None,
        help_text=_(
            "The booking's reference in your own system. Sending the same reference again "
            "records nothing twice."
        ),
    )

    def quick_row(self, data) -> dict | None:
        """`as_row` of a row that plainly passes every field's check (a YYYY-MM-DD date, an
        amount as text with at most two decimals, texts of the declared kinds and lengths),
        without the serializer's cost per field; None for any other row, which then goes
        through `run_validation` and gets its messages. A 1,000-row push spent half its time
        in the serializer. Test: api/tests/test_quick_row.py."""
        if type(data) is not dict:
            return None
        day, amount = data.get("datum"), data.get("bedrag")
        if type(day) is not str or not PLAIN_DAY.match(day):
            return None
        if type(amount) is not str or not PLAIN_AMOUNT.match(amount):
            return None
        try:
            parsed = datetime.date.fromisoformat(day)
        except ValueError:
            return None
        if not tables.FIRST_YEAR <= parsed.year <= tables.LAST_YEAR:
            return None
        value = Decimal(amount)
        if amount[0] == "-" and not value:
            return None  # a negative zero: the serializer says why
        row = {"datum": parsed, "bedrag": value}
        texts = []
        for name, required, default, allow_null, max_length, allow_blank in self.text_checks:
            text = data.get(name, empty)
            if text is empty:
                if required:
                    return None
                text = default
            if text is None:
                if not allow_null:
                    return None
                row[name] = ""
                continue
            if type(text) is not str or len(text) > max_length:
                return None
            text = text.strip()
            if not text and not allow_blank:
                return None
            row[name] = text
            texts.append(text)
        # One search of all the texts (a space between them is no refused character).
        if REFUSED_CHARACTER.search(" ".join(texts)):
            return None
        return row

    @property
    def text_checks(self) -> list[tuple[str, bool, str | None, bool, int, bool]]:
        """The text fields as declared, each as what `quick_row` checks: name, required,
        default, allow_null, max_length and allow_blank (read once per class, not per row or
        request: a serializer's fields are deep copies made when first read, 0.5 ms of CPU)."""
        return _text_checks(type(self))

    def as_row(self, data: dict) -> dict:
        """The validated values in the import's columns, as finance.services reads them: the
        date and the amount as the date and Decimal they were read into (as a spreadsheet's
        cells), not as text to be read again."""
        return {
            "datum": data["datum"],
            "bedrag": data["bedrag"],
            "bestedingsdoel": data["bestedingsdoel"],
            "interventie": data.get("interventie") or "",
            "omschrijving": data["omschrijving"],
            "leverancier": data.get("leverancier") or "",
            "factuurnummer": data.get("factuurnummer") or "",
            "extern_id": data.get("extern_id") or "",
        }


class ExpenditureUpdateSerializer(serializers.Serializer):
    """The fields of an expenditure that can be changed; with PATCH any subset."""

    datum = IsoDate()
    bedrag = Amount()
    bestedingsdoel = Text(max_length=30)
    interventie = Text(max_length=20, allow_blank=True, allow_null=True)
    omschrijving = Text(max_length=300)
    leverancier = Text(max_length=200, allow_blank=True)
    factuurnummer = Text(max_length=100, allow_blank=True)
    versie = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2_147_483_647,
        help_text=_(
            "The version you last read; when someone changed the expenditure since, nothing is "
            "saved (409)."
        ),
    )


class BulkInputSerializer(serializers.Serializer):
    rijen = ExpenditureInputSerializer(
        many=True,
        min_length=1,
        max_length=MAX_BULK_ROWS,
        help_text=_("At most 1,000 expenditures; all are recorded or none."),
    )


class BulkShapeSerializer(serializers.Serializer):
    """The bulk body's outer shape; each row is then checked on its own, so that every bad
    row is named at once."""

    rijen = serializers.ListField(
        child=serializers.DictField(), min_length=1, max_length=MAX_BULK_ROWS
    )

    @staticmethod
    def quick_rows(data) -> list[dict] | None:
        """The rows of a body that plainly has this shape (an object whose `rijen` is a list
        of 1 to MAX_BULK_ROWS objects), without checking each row's every key; None for
        any other body, which then goes through `is_valid` and gets its messages."""
        rows = data.get("rijen") if type(data) is dict else None
        if type(rows) is not list or not 1 <= len(rows) <= MAX_BULK_ROWS:
            return None
        if not all(type(row) is dict for row in rows):
            return None
        return rows


class ExpenditureSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    extern_id = serializers.CharField(allow_null=True)
    gemeente = serializers.CharField(source="municipality.code")
    datum = IsoDate(source="date")
    bedrag = Amount(source="amount")
    bestedingsdoel = serializers.CharField(source="goal.code")
    interventie = serializers.CharField(source="intervention.code", allow_null=True)
    omschrijving = serializers.CharField(source="description")
    leverancier = serializers.CharField(source="supplier")
    factuurnummer = serializers.CharField(source="invoice_number")
    subsidiabel = serializers.ChoiceField(
        source="eligibility",
        choices=Eligibility.choices,
        help_text=_(
            "ok: charged to the grant; voor/na: before or after the spending period; doel: "
            "goal not allowed."
        ),
    )
    versie = serializers.IntegerField(source="version")
    geregistreerd_op = serializers.DateTimeField(source="created_at")


class ExpenditurePageSerializer(serializers.Serializer):
    resultaten = ExpenditureSerializer(many=True)
    volgende = serializers.CharField(
        allow_null=True, help_text=_("Cursor of the next page (parameter `na`), or null.")
    )
    aantal = serializers.IntegerField(help_text=_("Number of matching expenditures."))
    aantal_afgekapt = serializers.BooleanField(
        help_text=_("True when there are more than 10,000 and `aantal` stopped counting.")
    )


class ExpenditureFilterSerializer(serializers.Serializer):
    """The expenditure page's filters."""

    jaar = serializers.IntegerField(required=False, min_value=1900, max_value=9999)
    doel = Text(required=False, max_length=30)
    interventie = Text(
        required=False, max_length=20, help_text=_("An intervention's code, or '-' for none.")
    )
    subsidiabel = serializers.ChoiceField(required=False, choices=["ok", "niet"])
    na = Text(required=False, max_length=40, help_text=_("Cursor from `volgende`."))
    aantal = serializers.IntegerField(
        required=False, min_value=1, max_value=500, default=100, help_text=_("Page size.")
    )

    def validate(self, attrs):
        """A parameter the list does not know is refused, not ignored: a misspelt filter
        (`?jar=2023`) would otherwise list everything without a word."""
        unknown = sorted(set(self.initial_data) - set(self.fields))
        if unknown:
            raise serializers.ValidationError(
                _("Unknown parameter(s) %(names)s; this list takes %(known)s.")
                % {
                    "names": ", ".join(f"'{tables.excerpt(name)}'" for name in unknown),
                    "known": ", ".join(self.fields),
                }
            )
        return attrs


class BulkRowResultSerializer(serializers.Serializer):
    rij = serializers.IntegerField(help_text=_("Position in `rijen`, from 0."))
    id = serializers.IntegerField()
    extern_id = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(choices=["aangemaakt", "bestaand"])
    zelfde_als_rij = serializers.IntegerField(
        allow_null=True, help_text=_("The earlier row of this request with the same expenditure.")
    )


class BulkResultSerializer(serializers.Serializer):
    aangemaakt = serializers.IntegerField()
    bestaand = serializers.IntegerField()
    rijen = BulkRowResultSerializer(many=True)
