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


# What the server refuses, stated in the schema (schemathesis' positive and negative data
# checks hold the two to each other). Patterns are ECMA-262, as JSON Schema reads them.
CONTROL = "\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f"
# Text without control characters (tables.parse_text); required texts hold a non-space.
TEXT_PATTERN = f"^[^{CONTROL}]*$"
REQUIRED_TEXT_PATTERN = f"^(?=[\\s\\S]*\\S)[^{CONTROL}]*$"
# [0-9], not \d: a generator reading the pattern as Python does takes \d for any digit.
# An amount sent: digits 0-9, at most twelve before and two after a dot, not zero (an
# expenditure of zero spends nothing; -0 is a negative zero).
AMOUNT_PATTERN = "^(?!-?0+(\\.0+)?$)-?[0-9]{1,12}(\\.[0-9]{1,2})?$"
# A day as the API takes one: zero-padded ISO, in the years 2000 to 2100 (tables.parse_date).
DATE_PATTERN = "^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
LARGEST_WHOLE_AMOUNT = 999_999_999_999
INPUT_SCHEMAS = (
    "ExpenditureInputRequest",
    "ExpenditureUpdateRequest",
    "PatchedExpenditureUpdateRequest",
)


def _goal_values() -> list[str]:
    """The spending goals' codes and numbers, as `bestedingsdoel` takes them."""
    from django.db import DatabaseError

    from finance.selectors import finance_programme
    from finance.services.rows import goals_by_key

    try:  # `manage.py spectacular` may run where no database is
        programme = finance_programme()
        return sorted(goals_by_key(programme)) if programme else []
    except DatabaseError:
        return []


def _text(field: dict) -> None:
    required = field.get("minLength", 0) >= 1
    field["pattern"] = REQUIRED_TEXT_PATTERN if required else TEXT_PATTERN


def state_value_constraints(result, generator, request, public):
    """drf-spectacular post-processing hook: the input values' rules as the server enforces
    them (api.serializers: StrictAmount, StrictDate, Text), so that a client can check a
    request before sending it."""
    schemas = result.get("components", {}).get("schemas", {})
    goals = _goal_values()
    for name in INPUT_SCHEMAS:
        properties = schemas.get(name, {}).get("properties", {})
        for key, field in properties.items():
            if key == "bedrag":
                description = field.get("description")
                properties[key] = {
                    "anyOf": [
                        {"type": "string", "pattern": AMOUNT_PATTERN},
                        {
                            "type": "integer",
                            "minimum": -LARGEST_WHOLE_AMOUNT,
                            "maximum": LARGEST_WHOLE_AMOUNT,
                            "not": {"enum": [0]},
                        },
                    ],
                    **({"description": description} if description else {}),
                }
            elif key == "datum":
                field["pattern"] = DATE_PATTERN
            elif field.get("type") == "string":
                _text(field)
                if key == "bestedingsdoel" and goals:
                    field["enum"] = goals
    rows = schemas.get("BulkInputRequest", {}).get("properties", {}).get("rijen")
    if rows is not None:
        from api.serializers import MAX_BULK_ROWS

        rows.update(minItems=1, maxItems=MAX_BULK_ROWS)
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                if (
                    parameter.get("in") == "query"
                    and schema.get("type") == "string"
                    and "enum" not in schema
                ):
                    _text(schema)
    return result
