"""The OpenAPI schema's shared parts: every operation documents its problem responses."""

from django.utils.translation import gettext as _

PROBLEM = {
    "type": "object",
    "description": "RFC 9457 problem details.",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "pointer": {"type": "string"},
                    "field": {"type": "string", "nullable": True},
                    "row": {"type": "integer"},
                    "detail": {"type": "string"},
                },
                "required": ["pointer", "field", "detail"],
            },
        },
    },
    "required": ["type", "title", "status", "detail", "instance"],
}


def _problem_response(description: str, *, retry_after: bool = False) -> dict:
    response = {
        "description": description,
        "content": {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
        },
    }
    if retry_after:
        response["headers"] = {
            "Retry-After": {
                "schema": {"type": "integer"},
                "description": _("Seconds to wait before the next request."),
            }
        }
    return response


def add_problem_responses(result, generator, request, public):
    """drf-spectacular post-processing hook: the errors every endpoint can give."""
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            wanted = {
                "401": _("No valid token."),
                "403": _("The token lacks the scope for this."),
                "406": _("The requested format cannot be produced."),
                "429": _("Too many requests with this token."),
            }
            if (
                method in ("post", "put", "patch", "delete")
                or "{" in path
                or operation.get("parameters")
            ):
                wanted["400"] = _("Invalid input; `errors` names each field.")
            if "{" in path:
                wanted["404"] = _("Not found (or another municipality's).")
            if method in ("post", "put", "patch"):
                wanted["413"] = _("The request is too large.")
                wanted["415"] = _("The body is not JSON.")
            if method in ("put", "patch", "delete", "post"):
                wanted["409"] = _("Changed by someone else at the same time.")
            for code, description in wanted.items():
                responses.setdefault(
                    code, _problem_response(description, retry_after=code == "429")
                )
    return result
