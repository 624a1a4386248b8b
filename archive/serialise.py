"""Rows as the archive package writes them: JSON values, CSV cells through the safe-export
function, and the JSON Schema that documents each table's JSON file.

Exact and stable: amounts are decimal strings ("1234.56"), dates ISO 8601, moments ISO 8601
in UTC; rows in primary-key order, so the same data gives the same bytes.
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import timezone

from npo_portal.exports import csv_text

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = value.astimezone(datetime.UTC)
        return value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or None
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def fields_of(model: type[models.Model]) -> list[models.Field]:
    """The columns written for `model`: its concrete fields, then its many-to-many fields."""
    return [*model._meta.concrete_fields, *model._meta.many_to_many]


def _column(field: models.Field) -> str:
    return field.attname if field.concrete else field.name


def row_values(obj: models.Model, fields: list[models.Field]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for field in fields:
        if field.many_to_many:
            values[field.name] = sorted(related.pk for related in getattr(obj, field.name).all())
        else:
            values[field.attname] = _plain(getattr(obj, field.attname))
    return values


def rows_json(rows: list[dict[str, Any]]) -> bytes:
    return (json.dumps(rows, ensure_ascii=False, indent=1, sort_keys=False) + "\n").encode()


def rows_csv(fields: list[models.Field], rows: list[dict[str, Any]]) -> bytes:
    """The rows as the portal's one CSV writer writes them (header first, `;`-separated, UTF-8
    with a BOM), every text through the safe-export function. The values are the archive's
    own plain forms (ISO dates, amounts with a decimal point) that its JSON schema describes,
    so a machine reads them back the same way in every language."""
    columns = [_column(field) for field in fields]
    return csv_text(
        columns,
        (
            [
                "|".join(str(v) for v in row[c])
                if isinstance(row[c], list)
                else json.dumps(row[c], ensure_ascii=False, sort_keys=True)
                if isinstance(row[c], dict)
                else row[c]
                for c in columns
            ]
            for row in rows
        ),
    ).encode()


def _field_schema(field: models.Field) -> dict[str, Any]:
    nullable = field.null
    if field.many_to_many:
        schema: dict[str, Any] = {
            "type": "array",
            "items": {"type": "integer"},
            "description": f"{field.verbose_name}: ids of {field.related_model._meta.label}",
        }
        return schema
    if field.is_relation:
        schema = {
            "type": "integer",
            "description": f"{field.verbose_name}: id of {field.related_model._meta.label}",
        }
    elif isinstance(field, models.DecimalField):
        schema = {
            "type": "string",
            "pattern": rf"^-?\d+\.\d{{{field.decimal_places}}}$",
            "description": f"{field.verbose_name} (decimal, exact)",
        }
    elif isinstance(field, models.DateTimeField):
        schema = {"type": "string", "format": "date-time"}
    elif isinstance(field, models.DateField):
        schema = {"type": "string", "format": "date"}
    elif isinstance(field, models.BooleanField):
        schema = {"type": "boolean"}
    elif isinstance(field, (models.IntegerField, models.AutoField)):
        schema = {"type": "integer"}
    elif isinstance(field, models.JSONField):
        schema = {}
    elif isinstance(field, models.FileField):
        schema = {"type": "string", "description": f"{field.verbose_name}: name in the storage"}
        nullable = True
    else:
        schema = {"type": "string"}
        if getattr(field, "max_length", None):
            schema["maxLength"] = field.max_length
    schema.setdefault("description", str(field.verbose_name))
    if field.choices:
        schema["enum"] = [value for value, _label in field.flatchoices]
        schema["description"] += " — " + "; ".join(
            f"{value}: {label}" for value, label in field.flatchoices
        )
        if nullable:
            schema["enum"].append(None)
    if nullable and "type" in schema:
        schema["type"] = [schema["type"], "null"]
    return schema


def table_schema(
    *, schema_id: str, title: str, model: type[models.Model], fields: list[models.Field]
) -> bytes:
    """The JSON Schema of a table's JSON file: an array of rows with these properties."""
    schema = {
        "$schema": SCHEMA_DIALECT,
        "$id": schema_id,
        "title": title,
        "description": " ".join((model.__doc__ or "").split()),
        "type": "array",
        "items": {
            "type": "object",
            "properties": {_column(f): _field_schema(f) for f in fields},
            "required": [_column(f) for f in fields],
            "additionalProperties": False,
        },
    }
    return (json.dumps(schema, ensure_ascii=False, indent=1, default=str) + "\n").encode()
