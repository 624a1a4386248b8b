"""JSON bodies up to API_MAX_REQUEST_BYTES (a larger one is refused with 413 unread) and
nested at most API_MAX_JSON_DEPTH deep (deeper is 400: 5,000 brackets once gave a
RecursionError, a 500)."""

import io
import re

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request is too large.")
    default_code = "too_large"


class LimitedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.API_MAX_REQUEST_BYTES
        request = (parser_context or {}).get("request")
        length = 0
        if request is not None:
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
        too_large = RequestTooLarge(
            _("The request is larger than %(size)s bytes.") % {"size": limit}
        )
        if length > limit:
            raise too_large
        data = stream.read(limit + 1) if stream is not None else b""
        if len(data) > limit:
            raise too_large
        try:
            parsed = super().parse(io.BytesIO(data), media_type, parser_context)
        except RecursionError as error:
            raise _too_deep() from error
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        if _depth(data.decode(encoding, errors="replace")) > settings.API_MAX_JSON_DEPTH:
            raise _too_deep()
        return parsed


def _too_deep() -> exceptions.ParseError:
    return exceptions.ParseError(
        _("The JSON is nested more than %(depth)s levels deep.")
        % {"depth": settings.API_MAX_JSON_DEPTH}
    )


# In JSON that parsed: a string with its escapes, and anything but a bracket.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def _depth(text: str) -> int:
    """How deep the lists and objects of this JSON text nest (it must have parsed): read
    from its brackets outside strings, not by walking the parsed value (which, visiting
    every value of a 1,000-row push, cost twice the JSON decoding)."""
    depth = deepest = 0
    for bracket in _NOT_BRACKET.sub("", _STRING.sub("", text)):
        if bracket in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest
