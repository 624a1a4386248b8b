"""Schemathesis against the portal's WSGI application: every operation of the OpenAPI schema,
a bounded number of generated requests each (valid and invalid input, path ids of this
municipality, of the other one and random ones), with Middelburg's read-and-write token.

In-process rather than against `live_server`: the requests pass through the whole Django
stack (every middleware, the 400/404 handlers, DRF) but inside the test's transaction, so
the test needs no flush of the database afterwards. A live-server test must flush every
table when it ends, and in the full suite its restore of the content types met the ones
the other transactional tests' flushes had re-created (an IntegrityError on
django_content_type): the reason this test was skipped after session 4.

Every response must: not be a 5xx, have a status code, content type, headers and body that
the schema documents, and never contain Vlissingen's data. The run prints how many
operations and requests it covered (`pytest -s`).
"""

from __future__ import annotations

import datetime

import hypothesis
import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.tests.conftest import make_token, marked_data
from npo_portal.wsgi import application

pytestmark = pytest.mark.django_db

EXAMPLES_PER_OPERATION = 30
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def _data(organisation, marker):
    made = marked_data(organisation, marker)
    return {
        "/api/v1/uitgaven/{id}/": made.expenditure.pk,
        "/api/v1/verantwoordingen/{id}/": made.report.pk,
        "/api/v1/verantwoordingen/{id}/{kind}/": made.report.pk,
        "/api/v1/behoeftepeilingen/{id}/": made.needs_round.pk,
    }


@pytest.fixture
def _connection_kept_between_requests():
    """The WSGI handler closes the database connection before and after each request, which
    would end the test's transaction; Django's test client holds these signals back too."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.mark.usefixtures("_connection_kept_between_requests")
def test_the_api_keeps_its_schema_and_its_municipality(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.API_THROTTLE_RATE = "1000000/minute"
    cache.clear()
    own_ids = _data(world.middelburg, "EIGEN-MDB")
    other_marker = "GEHEIM-VLS"
    other_ids = _data(world.vlissingen, other_marker)
    make_token(world.vlissingen)  # the other municipality has a token too
    secret = make_token(world.middelburg).secret
    headers = {"Authorization": f"Bearer {secret}"}

    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)
    sent = {"requests": 0, "operations": 0}
    statuses: dict[int, int] = {}
    started = datetime.datetime.now()

    for result in schema.get_all_operations():
        operation = result.ok()
        strategies = [
            operation.as_strategy(generation_mode=mode)
            for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)
        ]
        if operation.path in own_ids:
            for ids in (own_ids, other_ids):
                strategies.append(
                    operation.as_strategy(path_parameters={"id": ids[operation.path]})
                )

        @hypothesis.settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(hypothesis.HealthCheck),
            phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
        )
        @hypothesis.given(case=st.one_of(strategies))
        def run(case):
            response = case.call(headers=headers)
            sent["requests"] += 1
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            assert other_marker.encode() not in response.content, case.as_curl_command()
            case.validate_response(response, checks=CHECKS, headers=headers)

        run()
        sent["operations"] += 1

    seconds = (datetime.datetime.now() - started).total_seconds()
    print(
        f"\nschemathesis: {sent['operations']} operations, {sent['requests']} requests in "
        f"{seconds:.0f} s; status codes {dict(sorted(statuses.items()))}"
    )
    assert sent["operations"] == 16
    assert sent["requests"] >= sent["operations"] * 10
