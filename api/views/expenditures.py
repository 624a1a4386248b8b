"""The expenditure endpoints: list, record one, push many (bulk), read, change and delete
one. Thin: the rules are `finance.services`'."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.response import Response

from accounts.scoping import municipality_and_predecessors
from api import audit, serializers
from api.views.base import ApiView
from finance import selectors as finance_selectors
from finance import services as finance_services
from finance.models import Expenditure
from finance.services.rows import find_goal, goals_by_key
from npo_portal.audit import EditConflict
from plans.models import Intervention, SpendingGoal


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
    """Another request saved the same rows while this one ran and this one could not leave
    them out (one that names an expenditure twice, or on SQLite; an equal bulk otherwise
    waits for the other and answers its rows as recorded): sent again after Retry-After,
    this one finds them recorded and creates nothing twice."""

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
