"""The API's endpoints: thin, each starting from `for_user(request.user)` where
`request.user` is the token's municipality (api.principal)."""

from __future__ import annotations

import time

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import QuerySet
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.scoping import municipality_and_predecessors
from api import audit, serializers
from api import permissions as api_permissions
from api.services import log_request
from finance import selectors as finance_selectors
from finance import services as finance_services
from finance.models import Expenditure, Payment
from finance.services.rows import find_goal, goals_by_key
from npo_portal.audit import EditConflict
from plans.models import Intervention, SpendingGoal
from reporting.models import AccountabilityReport, ReportStatus
from schools.models import NeedsRound
from schools.selectors import municipal_picture
from settlement.models import Settlement

REPORT_FILE_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class TokenScope(permissions.BasePermission):
    """Reading needs the read scope; changing expenditures the write scope."""

    def has_permission(self, request, view):
        token = request.auth
        if token is None:
            return False
        if request.method in permissions.SAFE_METHODS:
            return api_permissions.token_can_read(token)
        return api_permissions.token_can_write_expenditures(token)


class ApiView(APIView):
    permission_classes = [permissions.IsAuthenticated, TokenScope]

    def initial(self, request, *args, **kwargs):
        self._started = time.monotonic()
        super().initial(request, *args, **kwargs)
        token = request.auth
        # The audit trail records the token's maker as the user, and the token as reason.
        request._request.user = token.created_by or AnonymousUser()
        self._acting = audit.acting_with(token)
        self._acting.__enter__()

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        acting = getattr(self, "_acting", None)
        if acting is not None:
            acting.__exit__(None, None, None)
            self._acting = None
        token = getattr(request, "_auth", None)
        if token is not None:
            log_request(
                token=token,
                method=request.method,
                endpoint=request.path,
                status=response.status_code,
                duration_ms=int(
                    (time.monotonic() - getattr(self, "_started", time.monotonic())) * 1000
                ),
            )
        return response

    @property
    def municipality(self):
        return self.request.auth.municipality


def _expenditures(request):
    return (
        Expenditure.objects.for_user(request.user)
        .filter(municipality=request.auth.municipality)
        .select_related("municipality", "goal", "intervention")
    )


def _with_eligibility(request, pks):
    rows = _expenditures(request).filter(pk__in=pks).with_eligibility()
    return {row.pk: row for row in rows}


def _rejected(problems, *, bulk: bool) -> exceptions.ValidationError:
    """The service's row problems as field errors: `rijen[i].<field>` for a bulk request."""
    if not bulk:
        detail: dict = {}
        for found in problems:
            detail.setdefault(found.column, []).append(found.message)
        return exceptions.ValidationError(detail)
    rows: list[dict] = [{} for _index in range(max(found.row for found in problems) + 1)]
    for found in problems:
        rows[found.row].setdefault(found.column, []).append(found.message)
    return exceptions.ValidationError({"rijen": rows})


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("Someone else saved this at the same time; send the request again.")


class SavedMeanwhile(Conflict):
    """Another request saved the same rows while this one ran (two equal bulks at once):
    sent again after Retry-After, this one finds them recorded and creates nothing twice."""

    # DRF's handler sends `wait` as Retry-After: the other request has committed by then.
    wait = 1


def _record(request, rows: list[dict], *, bulk: bool):
    try:
        return finance_services.record_expenditures(
            municipality=request.auth.municipality,
            rows=rows,
            user=request.auth.created_by,
            change_reason=audit.change_reason(request.auth),
        )
    except finance_services.RowsRejected as rejected:
        raise _rejected(rejected.problems, bulk=bulk) from rejected
    except IntegrityError as error:
        raise SavedMeanwhile() from error


class ExpenditureListView(ApiView):
    @extend_schema(
        operation_id="uitgaven_lijst",
        summary=_("List expenditures"),
        description=_(
            "The municipality's expenditures, newest first, with the filters of the "
            "expenditure page; page through with the cursor in `volgende`."
        ),
        parameters=[serializers.ExpenditureFilterSerializer],
        responses=serializers.ExpenditurePageSerializer,
    )
    def get(self, request):
        # A plain dict, not the QueryDict: DRF reads an empty optional value of a form
        # (`?doel=`, `?subsidiabel=`) as absent, the schema says it is refused.
        params = serializers.ExpenditureFilterSerializer(data=request.query_params.dict())
        params.is_valid(raise_exception=True)
        filters = params.validated_data
        queryset = finance_selectors.expenditures_for(
            user=request.user,
            municipality=self.municipality,
            filters=finance_selectors.ExpenditureFilters(
                year=filters.get("jaar"),
                goal=filters.get("doel"),
                intervention=filters.get("interventie"),
                eligibility=filters.get("subsidiabel"),
            ),
        ).select_related("municipality")
        page = finance_selectors.keyset_page(
            queryset=queryset, cursor=filters.get("na"), size=filters["aantal"]
        )
        return Response(
            serializers.ExpenditurePageSerializer(
                {
                    "resultaten": page.rows,
                    "volgende": page.next_cursor,
                    "aantal": page.count,
                    "aantal_afgekapt": page.count_is_capped,
                }
            ).data
        )

    @extend_schema(
        operation_id="uitgave_aanmaken",
        summary=_("Record an expenditure"),
        description=_(
            "By the same rules as the page and the import. When `extern_id` or the same "
            "expenditure is already recorded, nothing is recorded and the existing one is "
            "returned with 200."
        ),
        request=serializers.ExpenditureInputSerializer,
        responses={201: serializers.ExpenditureSerializer, 200: serializers.ExpenditureSerializer},
    )
    def post(self, request):
        given = serializers.ExpenditureInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        (outcome,) = _record(request, [given.as_row(given.validated_data)], bulk=False)
        expenditure = _with_eligibility(request, [outcome.id])[outcome.id]
        return Response(
            serializers.ExpenditureSerializer(expenditure).data,
            status=status.HTTP_201_CREATED if outcome.created else status.HTTP_200_OK,
        )


class ExpenditureBulkView(ApiView):
    @extend_schema(
        operation_id="uitgaven_bulk",
        summary=_("Record up to 1,000 expenditures at once"),
        description=_(
            "All rows or none: when any row is invalid nothing is recorded and `errors` names "
            "each bad row (`row`, from 0) and field. A row whose `extern_id` or whose same "
            "expenditure is already recorded is not recorded again, so sending the same "
            "request twice records nothing the second time."
        ),
        request=serializers.BulkInputSerializer,
        responses={201: serializers.BulkResultSerializer, 200: serializers.BulkResultSerializer},
    )
    def post(self, request):
        given_rows = serializers.BulkShapeSerializer.quick_rows(request.data)
        if given_rows is None:
            shape = serializers.BulkShapeSerializer(data=request.data)
            shape.is_valid(raise_exception=True)
            given_rows = shape.validated_data["rijen"]
        rows, positions, errors = [], [], []
        # One serializer for all rows, as DRF's ListSerializer does: a serializer copies its
        # fields when made, which for 1,000 rows was 40% of the request's time.
        given = serializers.ExpenditureInputSerializer()
        for position, raw in enumerate(given_rows):
            row = given.quick_row(raw)
            if row is None:
                try:
                    row = given.as_row(given.run_validation(raw))
                except exceptions.ValidationError as invalid:
                    errors.append(dict(invalid.detail))
                    continue
            errors.append({})
            rows.append(row)
            positions.append(position)
        if any(errors):
            # Name the rules' problems of the well-formed rows too, not only the malformed.
            for found in finance_services.expenditure_row_problems(
                municipality=self.municipality, rows=rows, positions=positions
            ):
                errors[found.row].setdefault(found.column, []).append(found.message)
            raise exceptions.ValidationError({"rijen": errors})
        outcomes = _record(request, rows, bulk=True)
        created = sum(1 for outcome in outcomes if outcome.created)
        body = {
            "aangemaakt": created,
            "bestaand": len(outcomes) - created,
            "rijen": [
                {
                    "rij": index,
                    "id": outcome.id,
                    "extern_id": outcome.extern_id,
                    "status": "aangemaakt" if outcome.created else "bestaand",
                    "zelfde_als_rij": outcome.same_as_row,
                }
                for index, outcome in enumerate(outcomes)
            ],
        }
        # The body is already what BulkResultSerializer makes of it (numbers, texts, null):
        # serializing 1,000 rows through it cost a fifth of the request.
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


def _goal(programme, code: str) -> SpendingGoal:
    """The goal as the import finds it (finance.services.rows.find_goal)."""
    try:
        return find_goal(goals_by_key(programme), code)
    except ValueError as error:
        raise exceptions.ValidationError({"bestedingsdoel": [str(error)]}) from error


def _intervention(expenditure: Expenditure, code: str | None) -> Intervention | None:
    if not code:
        return None
    # After a merger the predecessors' interventions go on under the successor (as the form).
    found = (
        Intervention.objects.filter(
            plan__municipality__in=municipality_and_predecessors(expenditure.municipality_id),
            plan__programme=expenditure.programme,
            code=code,
        )
        .select_related("goal", "plan__municipality")
        .first()
    )
    if found is None:
        raise exceptions.ValidationError(
            {
                "interventie": [
                    _("'%(code)s' is not an intervention of this municipality's plan")
                    % {"code": code}
                ]
            }
        )
    return found


SERVICE_FIELDS = {
    "date": "datum",
    "amount": "bedrag",
    "goal": "bestedingsdoel",
    "intervention": "interventie",
    "description": "omschrijving",
    "supplier": "leverancier",
    "invoice_number": "factuurnummer",
}


def _change(operation_id: str, summary: str, *, partial: bool):
    """PUT and PATCH of an expenditure: one update, documented twice."""

    @extend_schema(
        operation_id=operation_id,
        summary=summary,
        request=serializers.ExpenditureUpdateSerializer,
        responses=serializers.ExpenditureSerializer,
    )
    def change(self, request, pk):
        return self._update(request, partial=partial)

    return change


class ExpenditureDetailView(ApiView):
    def get_object(self) -> Expenditure:
        return get_object_or_404(
            _expenditures(self.request).with_eligibility(), pk=self.kwargs["pk"]
        )

    @extend_schema(
        operation_id="uitgave_lezen",
        summary=_("One expenditure"),
        responses=serializers.ExpenditureSerializer,
    )
    def get(self, request, pk):
        return Response(serializers.ExpenditureSerializer(self.get_object()).data)

    def _update(self, request, *, partial: bool):
        expenditure = self.get_object()
        given = serializers.ExpenditureUpdateSerializer(data=request.data, partial=partial)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        version = data.pop("versie", None)
        changes = {}
        for name, api_name in SERVICE_FIELDS.items():
            if api_name in data:
                changes[name] = data[api_name]
        if "goal" in changes:
            changes["goal"] = _goal(expenditure.programme, changes["goal"])
        if "intervention" in changes:
            changes["intervention"] = _intervention(expenditure, changes["intervention"])
        for name in ("supplier", "invoice_number"):
            if name in changes:
                changes[name] = changes[name] or ""
        try:
            finance_services.update_expenditure(
                expenditure=expenditure, user=request.auth.created_by, version=version, **changes
            )
        except ValidationError as error:
            _raise_service_error(error)
        except IntegrityError as error:
            raise Conflict() from error
        return Response(serializers.ExpenditureSerializer(self.get_object()).data)

    put = _change("uitgave_wijzigen", _("Change an expenditure"), partial=False)
    patch = _change(
        "uitgave_deels_wijzigen", _("Change some fields of an expenditure"), partial=True
    )

    @extend_schema(
        operation_id="uitgave_verwijderen",
        summary=_("Delete an expenditure"),
        responses={204: None},
    )
    def delete(self, request, pk):
        expenditure = self.get_object()
        try:
            finance_services.delete_expenditure(
                expenditure=expenditure, user=request.auth.created_by
            )
        except ValidationError as error:
            _raise_service_error(error)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _raise_service_error(error):
    if isinstance(error, EditConflict):
        raise Conflict(" ".join(error.messages)) from error
    if hasattr(error, "error_dict"):
        raise exceptions.ValidationError(
            {
                SERVICE_FIELDS.get(name, name): messages
                for name, messages in error.message_dict.items()
            }
        ) from error
    raise exceptions.ValidationError({"non_field_errors": error.messages}) from error


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


def report_file_available(report: AccountabilityReport, kind: str) -> bool:
    """Files of final reports only: what the municipality filed."""
    return report.is_final and report.status == ReportStatus.DONE and bool(getattr(report, kind))


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


class NotFoundView(APIView):
    """Any other path under /api/v1/ (e.g. an id that is not a number): a problem+json 404
    instead of the portal's HTML page."""

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    throttle_classes: list = []

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        raise exceptions.NotFound()

    post = put = patch = delete = head = options = get
