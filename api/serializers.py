"""What the API reads and writes. Amounts are strings with two decimals, dates ISO 8601;
field names follow the expenditure import's columns."""

from __future__ import annotations

import datetime
import functools
import re
from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.fields import empty

from finance.models import Eligibility
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
        if amount.startswith("-") and not Decimal(amount):
            return None  # a negative zero: the serializer says why
        row = {"datum": day, "bedrag": f"{Decimal(amount):.2f}"}
        for name, field in self.text_fields:
            value = data.get(name, empty)
            if value is empty:
                if field.required:
                    return None
                value = field.get_default()
            if value is None:
                if not field.allow_null:
                    return None
                row[name] = ""
                continue
            if type(value) is not str or len(value) > field.max_length:
                return None
            value = value.strip()
            if not value and not field.allow_blank:
                return None
            if REFUSED_CHARACTER.search(value):
                return None
            row[name] = value
        return row

    @functools.cached_property
    def text_fields(self) -> list[tuple[str, serializers.CharField]]:
        """The text fields, as declared: what `quick_row` checks them against."""
        return [
            (name, field)
            for name, field in self.fields.items()
            if isinstance(field, serializers.CharField)
        ]

    def as_row(self, data: dict) -> dict:
        """The validated values in the import's columns, as finance.services reads them."""
        return {
            "datum": data["datum"].isoformat(),
            "bedrag": f"{data['bedrag']:.2f}",
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


class PaymentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    gemeente = serializers.CharField(source="municipality.code")
    datum = IsoDate(source="date")
    bedrag = Amount(source="amount")
    kenmerk = serializers.CharField(source="reference")


class YearTotalsSerializer(serializers.Serializer):
    jaar = serializers.IntegerField(source="year")
    besteed = Amount(source="spent")
    cumulatief = Amount(source="cumulative")
    ontvangen = Amount(source="received")
    verwacht = Amount(source="expected")
    niet_subsidiabel = Amount(source="ineligible")
    afgesloten = serializers.BooleanField(source="closed")


class GoalTotalsSerializer(serializers.Serializer):
    code = serializers.CharField(source="goal.code")
    naam = serializers.CharField(source="goal.name")
    begroot = Amount(source="budget")
    besteed = Amount(source="spent")
    verschil = Amount(source="difference")


class InterventionTotalsSerializer(serializers.Serializer):
    code = serializers.CharField(source="intervention.code")
    titel = serializers.CharField(source="intervention.title")
    bestedingsdoel = serializers.CharField(source="intervention.goal.code")
    begroot = Amount(source="budget")
    besteed = Amount(source="spent")


class TotalsSerializer(serializers.Serializer):
    """The dashboard's figures, from finance.selectors.finance_totals."""

    gemeente = serializers.CharField(source="municipality.code")
    peildatum = IsoDate(source="reference_date")
    periode_start = IsoDate(source="programme.start")
    periode_eind = IsoDate(source="programme.end")
    toekenning = Amount(source="allocation")
    ontvangen = Amount(source="received")
    verwacht_tot_nu = Amount(source="expected_to_date")
    besteed = Amount(source="spent")
    resterend = Amount(source="remaining")
    niet_subsidiabel = Amount(source="ineligible")
    niet_subsidiabel_aantal = serializers.IntegerField(source="ineligible_count")
    niet_op_interventie = Amount(source="not_on_intervention")
    maandtempo = Amount(source="recent_monthly_rate")
    verwachte_besteding = Amount(source="projected_spending")
    risico_terugvordering = Amount(source="at_risk")
    jaren = YearTotalsSerializer(source="years", many=True)
    doelen = GoalTotalsSerializer(source="goals", many=True)
    interventies = InterventionTotalsSerializer(source="interventions", many=True)


class ReasonSerializer(serializers.Serializer):
    reden = serializers.CharField(source="label")
    aantal = serializers.IntegerField(source="count")
    bedrag = Amount(source="amount")


class MemberPositionSerializer(serializers.Serializer):
    gemeente = serializers.CharField(source="municipality.code")
    naam = serializers.CharField(source="municipality.name")
    toekenning = Amount(source="allocation")
    ontvangen = Amount(source="received")
    subsidiabel_besteed = Amount(source="eligible")
    niet_subsidiabel = Amount(source="ineligible")
    eigen_verantwoording_tot_en_met = serializers.IntegerField(
        source="last_own_report_year",
        allow_null=True,
        help_text=_(
            "The last year the municipality accounted for in a report of its own; from the "
            "next year on its books are in its successor's figures."
        ),
    )


class FinalPositionSerializer(serializers.Serializer):
    """The final position, from finance.selectors.final_position (finance_totals)."""

    gemeente = serializers.CharField(source="municipality.code")
    peildatum = IsoDate(source="reference_date")
    voorlopig = serializers.BooleanField(source="is_provisional")
    toekenning = Amount(source="allocation")
    ontvangen = Amount(source="received")
    subsidiabel_besteed = Amount(source="eligible")
    niet_subsidiabel = Amount(source="ineligible")
    niet_subsidiabel_per_reden = ReasonSerializer(source="ineligible_by_reason", many=True)
    niet_besteed = Amount(source="unspent")
    verwachte_vaststelling = Amount(source="expected_settlement")
    verwachte_terugvordering = Amount(
        source="expected_reclaim", help_text=_("Negative: money still to receive.")
    )
    samengevoegd = MemberPositionSerializer(source="members", many=True)


class SettlementSerializer(serializers.Serializer):
    """The Minister's settlement decision as recorded, beside the portal's expected figures
    of the day it was recorded; read-only."""

    gemeente = serializers.CharField(source="municipality.code")
    kenmerk = serializers.CharField(source="reference")
    datum_beschikking = IsoDate(source="decided_on")
    datum_verzonden = IsoDate(source="sent_on")
    bezwaartermijn_tot_en_met = IsoDate(source="objection_deadline")
    toekenning = Amount(source="allocation")
    ontvangen = Amount(source="received")
    vastgesteld = Amount(source="amount_set")
    terug_te_betalen = Amount(
        source="amount_to_repay", help_text=_("Negative: money still to receive.")
    )
    verwacht_toekenning = Amount(source="expected_allocation")
    verwacht_ontvangen = Amount(source="expected_received")
    verwacht_vastgesteld = Amount(source="expected_amount_set")
    verwacht_terug_te_betalen = Amount(source="expected_amount_to_repay")
    toelichting = serializers.CharField(source="explanation")
    brief_sha256 = serializers.CharField(source="letter_sha256")
    terugbetaling_datum = serializers.SerializerMethodField()
    terugbetaling_bedrag = serializers.SerializerMethodField()

    def _repayment(self, settlement):
        # No repayment recorded: the reverse one-to-one raises a subclass of AttributeError.
        return getattr(settlement, "repayment", None)

    def get_terugbetaling_datum(self, settlement) -> str | None:
        repayment = self._repayment(settlement)
        return repayment.date.isoformat() if repayment else None

    def get_terugbetaling_bedrag(self, settlement) -> str | None:
        repayment = self._repayment(settlement)
        return f"{repayment.amount:.2f}" if repayment else None


class ReportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kenmerk = serializers.CharField(source="identifier")
    gemeente = serializers.CharField(source="municipality.code")
    jaar = serializers.IntegerField(source="year")
    versie = serializers.IntegerField(source="version")
    status = serializers.CharField()
    status_omschrijving = serializers.CharField(source="get_status_display")
    voortgang = serializers.CharField(source="progress")
    percentage = serializers.IntegerField(source="percent")
    reden_mislukt = serializers.CharField(source="failure_reason")
    definitief = serializers.BooleanField(source="is_final")
    eindverantwoording = serializers.BooleanField(source="final_accounting")
    aangemaakt_op = serializers.DateTimeField(source="created_at")
    klaar_op = serializers.DateTimeField(source="finished_at", allow_null=True)
    pdf = serializers.SerializerMethodField()
    xlsx = serializers.SerializerMethodField()

    def _file_url(self, report, kind: str) -> str | None:
        from api.views import report_file_available

        if not report_file_available(report, kind):
            return None
        from django.urls import reverse

        path = reverse("api-v1:report-file", kwargs={"pk": report.pk, "kind": kind})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    def get_pdf(self, report) -> str | None:
        return self._file_url(report, "pdf")

    def get_xlsx(self, report) -> str | None:
        return self._file_url(report, "xlsx")


class RoundSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    gemeente = serializers.CharField(source="municipality.code")
    titel = serializers.CharField(source="title")
    schooljaar = serializers.CharField(source="school_year")
    deadline = IsoDate()
    status = serializers.CharField()


class SchoolTextSerializer(serializers.Serializer):
    school = serializers.CharField(source="school.code")
    schoolnaam = serializers.CharField(source="school.name")
    tekst = serializers.CharField(source="description")


class DelaySerializer(serializers.Serializer):
    domein = serializers.CharField(source="domain")
    sector = serializers.CharField()
    scholen = serializers.IntegerField(source="schools")
    per_ernst = serializers.DictField(child=serializers.IntegerField(), source="per_severity")
    gemiddeld_aandeel_leerlingen = serializers.DecimalField(
        max_digits=5, decimal_places=0, coerce_to_string=True, source="average_share"
    )


class GoalNeedsSerializer(serializers.Serializer):
    bestedingsdoel = serializers.CharField(source="goal.code")
    naam = serializers.CharField(source="goal.name")
    behoeften = SchoolTextSerializer(many=True, source="needs")


class QuestionSerializer(serializers.Serializer):
    vraag = serializers.CharField(source="question")
    antwoorden = SchoolTextSerializer(many=True, source="answers")


class MenuCountSerializer(serializers.Serializer):
    interventie = serializers.CharField()
    scholen = serializers.IntegerField()


class PictureSerializer(serializers.Serializer):
    """The municipal picture of a round, from schools.selectors.municipal_picture."""

    ronde = RoundSerializer(source="needs_round")
    reacties = serializers.DictField(
        child=serializers.IntegerField(), source="counts", help_text=_("Schools per status.")
    )
    vertragingen = DelaySerializer(many=True, source="delay_rows")
    behoeften_per_doel = GoalNeedsSerializer(many=True, source="needs_by_goal")
    menukaart = serializers.SerializerMethodField()
    vrije_teksten = SchoolTextSerializer(many=True, source="free_texts")
    vragen = QuestionSerializer(many=True, source="questions")

    def get_menukaart(self, picture) -> list[dict]:
        return MenuCountSerializer(
            [{"interventie": name, "scholen": count} for name, count in picture.menu_items],
            many=True,
        ).data
