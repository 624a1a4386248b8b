"""The read-only endpoints: payments, totals, final position, settlement, accountability
reports and their files, needs rounds and their picture."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.response import Response

from accounts.scoping import municipality_and_predecessors
from api import serializers
from api.reports import REPORT_FILE_TYPES, report_file_available
from api.views.base import ApiView
from finance import selectors as finance_selectors
from finance.models import Payment
from reporting.models import AccountabilityReport
from schools.models import NeedsRound
from schools.selectors import municipal_picture
from settlement.models import Settlement


def _own(model, request) -> QuerySet:
    """`model`'s rows of the token's municipality and of those that merged into it."""
    return (
        model.objects.for_user(request.user)
        .filter(municipality__in=municipality_and_predecessors(request.auth.municipality_id))
        .select_related("municipality")
    )


class PaymentListView(ApiView):
    @extend_schema(
        operation_id="betalingen_lijst",
        summary=_("Payments of the grant received"),
        responses=serializers.PaymentSerializer(many=True),
    )
    def get(self, request):
        payments = _own(Payment, request).order_by("-date", "-id")
        return Response(serializers.PaymentSerializer(payments, many=True).data)


class TotalsView(ApiView):
    @extend_schema(
        operation_id="totalen",
        summary=_("The finance totals"),
        description=_(
            "The same figures as the dashboard, from the same function. After a merger, a "
            "year's figures hold a predecessor's books only from the year it merged in (as "
            "the reports do): a year it ended as a municipality of its own is in its own "
            "report."
        ),
        responses=serializers.TotalsSerializer,
    )
    def get(self, request):
        totals = finance_selectors.finance_totals(municipality=self.municipality)
        return Response(serializers.TotalsSerializer(totals).data)


class FinalPositionView(ApiView):
    @extend_schema(
        operation_id="eindpositie",
        summary=_("The final position of the grant"),
        description=_(
            "Allocation, received, eligible and ineligible spending over the whole period, "
            "the expected vaststelling and reclaim; after a merger for the whole grant, with "
            "each municipality's part. Read-only."
        ),
        responses=serializers.FinalPositionSerializer,
    )
    def get(self, request):
        position = finance_selectors.final_position(municipality=self.municipality)
        return Response(serializers.FinalPositionSerializer(position).data)


class SettlementView(ApiView):
    @extend_schema(
        operation_id="vaststelling",
        summary=_("The settlement decision"),
        description=_("The Minister's decision as recorded, and its repayment. Read-only."),
        responses={200: serializers.SettlementSerializer, 404: OpenApiResponse()},
    )
    def get(self, request):
        settlement = (
            Settlement.objects.for_user(request.user)
            .filter(municipality=self.municipality)
            .select_related("municipality", "repayment")
            .first()
        )
        if settlement is None:
            raise Http404
        return Response(serializers.SettlementSerializer(settlement).data)


class ReportListView(ApiView):
    @extend_schema(
        operation_id="verantwoordingen_lijst",
        summary=_("Accountability reports"),
        description=_("Every version of every year, with its status and, when final, its files."),
        responses=serializers.ReportSerializer(many=True),
    )
    def get(self, request):
        reports = _own(AccountabilityReport, request).order_by("-year", "-version")
        return Response(
            serializers.ReportSerializer(reports, many=True, context={"request": request}).data
        )


class ReportDetailView(ApiView):
    @extend_schema(
        operation_id="verantwoording_status",
        summary=_("An accountability report's status"),
        responses=serializers.ReportSerializer,
    )
    def get(self, request, pk):
        report = get_object_or_404(_own(AccountabilityReport, request), pk=pk)
        return Response(serializers.ReportSerializer(report, context={"request": request}).data)


class ReportFileView(ApiView):
    @extend_schema(
        operation_id="verantwoording_bestand",
        summary=_("Download a final report's PDF or spreadsheet"),
        parameters=[
            OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=list(REPORT_FILE_TYPES)),
        ],
        responses={
            (200, content_type): OpenApiResponse(OpenApiTypes.BINARY)
            for content_type in REPORT_FILE_TYPES.values()
        },
    )
    def get(self, request, pk, kind):
        report = get_object_or_404(_own(AccountabilityReport, request), pk=pk)
        if kind not in REPORT_FILE_TYPES or not report_file_available(report, kind):
            raise Http404
        return FileResponse(
            getattr(report, kind).open("rb"),
            as_attachment=True,
            filename=f"{report.identifier}.{kind}",
            content_type=REPORT_FILE_TYPES[kind],
        )


def _rounds(request):
    return NeedsRound.objects.for_user(request.user).select_related("municipality")


class RoundListView(ApiView):
    @extend_schema(
        operation_id="behoeftepeilingen_lijst",
        summary=_("The municipality's needs rounds"),
        responses=serializers.RoundSerializer(many=True),
    )
    def get(self, request):
        return Response(serializers.RoundSerializer(_rounds(request), many=True).data)


class PictureView(ApiView):
    @extend_schema(
        operation_id="behoeftebeeld",
        summary=_("The needs picture of a round"),
        description=_("The municipal picture as the portal shows it; submitted answers only."),
        responses=serializers.PictureSerializer,
    )
    def get(self, request, pk):
        needs_round = get_object_or_404(_rounds(request), pk=pk)
        return Response(
            serializers.PictureSerializer(municipal_picture(needs_round=needs_round)).data
        )
