"""Errors as `application/problem+json` (RFC 9457), naming each invalid field.

Every error the API gives passes through `problem_exception_handler`: the members `type`,
`title`, `status`, `detail` and `instance`, and for invalid input `errors`, one entry per
field with a JSON pointer into the request body (`#/rijen/3/datum` for a bulk row).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

PROBLEM_JSON = "application/problem+json"
INVALID = "urn:npo-portal:probleem:ongeldige-invoer"


def _titles() -> dict[int, str]:
    return {
        400: _("Invalid input"),
        401: _("Not authenticated"),
        403: _("Not allowed"),
        404: _("Not found"),
        405: _("Method not allowed"),
        406: _("Not acceptable"),
        409: _("Conflict"),
        413: _("Request too large"),
        415: _("Unsupported media type"),
        429: _("Too many requests"),
    }


def flatten(detail, pointer: str = "#") -> list[dict]:
    """Each message of a (nested) DRF error detail with the pointer to its field."""
    if isinstance(detail, dict):
        return [
            entry
            for key, value in detail.items()
            for entry in flatten(
                value, pointer if key == "non_field_errors" else f"{pointer}/{key}"
            )
        ]
    if isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            return [_entry(pointer, str(item)) for item in detail]
        return [
            entry
            for index, item in enumerate(detail)
            for entry in flatten(item, f"{pointer}/{index}")
        ]
    return [_entry(pointer, str(detail))]


def _entry(pointer: str, message: str) -> dict:
    parts = pointer.lstrip("#/").split("/") if pointer != "#" else []
    entry = {"pointer": pointer, "field": parts[-1] if parts else None, "detail": message}
    if len(parts) >= 2 and parts[0] == "rijen" and parts[1].isdigit():
        entry["row"] = int(parts[1])
    return entry


def problem(*, status_code: int, detail: str, instance: str, errors=None, type_=None) -> dict:
    body = {
        "type": type_ or "about:blank",
        "title": _titles().get(status_code, _("Error")),
        "status": status_code,
        "detail": detail,
        "instance": instance,
    }
    if errors is not None:
        body["errors"] = errors
    return body


def problem_exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        return None
    request = context.get("request")
    instance = request.get_full_path() if request is not None else ""
    if isinstance(exc, exceptions.ValidationError):
        errors = flatten(exc.detail)
        count = len(errors)
        body = problem(
            status_code=status.HTTP_400_BAD_REQUEST,
            detail=_("%(count)s invalid value(s); see errors.") % {"count": count},
            instance=instance,
            errors=errors,
            type_=INVALID,
        )
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        if isinstance(detail, dict | list):
            detail = "; ".join(entry["detail"] for entry in flatten(detail))
        body = problem(
            status_code=response.status_code,
            detail=str(detail),
            instance=instance,
            # A body refused whole (too large, unreadable) is one error about the body, so
            # that a client reading `errors` of every 4xx about its request finds it.
            errors=[_entry("#", str(detail))] if response.status_code in (400, 413) else None,
        )
    return Response(
        body, status=response.status_code, headers=dict(response.items()), content_type=PROBLEM_JSON
    )


def bad_request(request, exception):
    """The project's 400 answer: problem+json under /api/, the portal's page elsewhere.

    Django answers a request it refuses before any view (a NUL byte in the address, a body
    over DATA_UPLOAD_MAX_MEMORY_SIZE) with its `handler400`, which would be HTML to an API
    client."""
    if not request.path.startswith("/api/"):
        return defaults.bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        # Over DATA_UPLOAD_MAX_MEMORY_SIZE Django refuses before the API's own limit can:
        # the same 413 as a body over API_MAX_REQUEST_BYTES.
        code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
        detail = _("The request is larger than %(size)s bytes.") % {
            "size": settings.API_MAX_REQUEST_BYTES
        }
    else:
        code = status.HTTP_400_BAD_REQUEST
        detail = _("The request could not be read.")
    body = problem(
        status_code=code, detail=detail, instance=request.path, errors=[_entry("#", detail)]
    )
    return JsonResponse(body, status=code, content_type=PROBLEM_JSON)
