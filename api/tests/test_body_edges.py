"""The bulk API's edges: deep nesting, bodies over either size limit, and two equal bulks
at once; each answered as problem+json with `errors`, never a 500 or an HTML page."""

import json

from django.db import IntegrityError
from hypothesis import given
from hypothesis import strategies as st

from api import parsers
from api.tests.conftest import row
from api.views import expenditures as views

BULK = "/api/v1/uitgaven/bulk/"


def post_raw(client, token, body: bytes):
    return client.post(
        BULK,
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token.secret}",
    )


def test_five_thousand_nested_brackets_are_a_400_not_a_server_error(client, token):
    response = post_raw(client, token, b"[" * 5000 + b"]" * 5000)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert "niveaus diep" in response.json()["errors"][0]["detail"]


def test_nesting_deeper_than_the_limit_is_refused(client, token, settings):
    settings.API_MAX_JSON_DEPTH = 4
    deep = b'{"rijen": [{"omschrijving": [[["x"]]]}]}'
    response = post_raw(client, token, deep)
    assert response.status_code == 400
    assert response.json()["errors"][0]["pointer"] == "#"


def test_a_body_over_the_api_limit_is_413_with_errors(client, token, settings):
    settings.API_MAX_REQUEST_BYTES = 1000
    response = post_raw(client, token, b'{"rijen": [' + b'{"a": "b"},' * 200 + b"{}]}")
    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    assert "1000 bytes" in response.json()["errors"][0]["detail"]


def test_a_body_over_djangos_own_limit_is_413_with_errors_too(client, token, settings):
    """Above DATA_UPLOAD_MAX_MEMORY_SIZE Django refused first, with a 400 without errors."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2000
    settings.API_MAX_REQUEST_BYTES = 1_000_000
    settings.DEBUG = False
    response = post_raw(client, token, b'{"rijen": [' + b'{"a": "b"},' * 400 + b"{}]}")
    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][0]["pointer"] == "#"


def test_a_bulk_that_met_an_equal_one_gets_409_with_retry_after(api, monkeypatch):
    """Two equal bulks at once: the database refuses the second's rows (a unique key); the
    answer says when to send it again, and then it finds them recorded."""

    def saved_meanwhile(**kwargs):
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(views.finance_services, "record_expenditures", saved_meanwhile)
    response = api("post", BULK, {"rijen": [row()]})
    assert response.status_code == 409
    assert response["Retry-After"] == "1"
    assert response["Content-Type"] == "application/problem+json"


def _walked_depth(value, depth=0) -> int:
    """How deep lists and objects nest, by walking the parsed value (the reference)."""
    if isinstance(value, dict):
        value = list(value.values())
    if not isinstance(value, list):
        return depth
    return max((_walked_depth(child, depth + 1) for child in value), default=depth + 1)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet='[]{}"\\,:ab \n\u00e9'),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(alphabet='[]{}"\\ab', max_size=5), children, max_size=4)
    ),
    max_leaves=30,
)


@given(json_values, st.sampled_from([None, 2]), st.booleans(), st.integers(0, 8))
def test_the_depth_read_from_the_text_is_the_depth_of_the_value(value, indent, ascii_only, limit):
    """The parser reads the nesting from the brackets outside strings (quotes, backslashes
    and brackets inside strings included here), not by walking every value."""
    text = json.dumps(value, indent=indent, ensure_ascii=ascii_only).encode()
    assert parsers._depth_over(text, limit) == (_walked_depth(value) > limit)
