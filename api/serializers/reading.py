"""What the read-only endpoints return: payments, totals, final position, settlement,
accountability reports (with links to their files), needs rounds and their picture."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from api.reports import report_file_available
from api.serializers.fields import (
    Amount,
    IsoDate,
)


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
        if not report_file_available(report, kind):
            return None
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
