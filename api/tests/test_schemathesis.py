"""Schemathesis against the portal's WSGI application: every operation of the OpenAPI schema,
a bounded number of generated requests each (valid and invalid input, path ids of this
municipality, of the other one and random ones), with Middelburg's read-and-write token.

In-process rather than against `live_server`: the requests pass through the whole Django
stack (every middleware, the 400/404 handlers, DRF) but inside the test's transaction, so
the test needs no flush of the database afterwards. A live-server test must flush every
table when it ends, and in the full suite its restore of the content types met the ones
the other transactional tests' flushes had re-created (an IntegrityError on
django_content_type): the reason this test was skipped after session 4.

Every check schemathesis registers runs on every response (`--checks all`): no 5xx; a
status code, content type, headers and body that the schema documents; a request the schema
forbids is refused (negative_data_rejection) and one it allows is accepted
(positive_data_acceptance); a required header left out and a method the path lacks are
refused (missing_required_header, unsupported_method, allow_header_conformance); without or
with a wrong token nothing is answered (ignored_auth, which sends those requests itself).
And no response contains Vlissingen's data. Each operation is a test of its own, so that the
parallel test processes share them; another test holds the schema to exactly that list. Each
prints how many requests it sent (`pytest -s`).

Where a check cannot apply here, and why:
- positive_data_acceptance runs with one narrow exception: a 400 whose every error is on
  `datum` or `interventie` and names a rule of the municipality's own data (a day after
  today, outside the municipality's existence or in a closed year; an intervention that is
  not in its plan). No schema can state those; every format rule (amount, date, text, goal,
  lengths, the bulk's size) is in the schema and a 400 for it still fails the check.
- use_after_free and ensure_resource_availability judge a request by the ones before it in
  a stateful run (create, then read or delete through OpenAPI links); this test sends
  independent requests, so they have no history and pass. Reading a deleted expenditure is
  tested in api/tests/test_expenditures.py.
- object_level_authorization needs a second identity configured in schemathesis; the same
  property is asserted here directly: Vlissingen's ids and marker never come back to
  Middelburg's token (and tests/test_api_isolation.py).
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
from schemathesis.checks import CHECKS as REGISTERED_CHECKS
from schemathesis.checks import load_all_checks
from schemathesis.specs.openapi.checks import RejectedPositiveData, positive_data_acceptance

from api.tests.conftest import make_token, marked_data
from npo_portal.wsgi import application

pytestmark = pytest.mark.django_db

EXAMPLES_PER_OPERATION = 30
load_all_checks()
# Rules of the municipality's data that no schema can state (see the docstring), by the
# field the 400 names and the words of its message.
DATA_RULE_FIELDS = {"datum", "interventie"}
FORMAT_MESSAGES = ("is geen datum", "ligt buiten de jaren", "de API neemt", "stuurteken")


def _refused_only_by_data_rules(response) -> bool:
    try:
        errors = response.json().get("errors") or []
    except ValueError:
        return False
    return bool(errors) and all(
        error.get("field") in DATA_RULE_FIELDS
        and not any(words in error.get("detail", "") for words in FORMAT_MESSAGES)
        for error in errors
    )


def positive_data_acceptance_but_data_rules(ctx, response, case):
    """positive_data_acceptance, except a 400 that only names rules of the data."""
    try:
        return positive_data_acceptance(ctx, response, case)
    except RejectedPositiveData:
        if response.status_code == 400 and _refused_only_by_data_rules(response):
            return None
        raise


# `--checks all`: every check this schemathesis version registers.
CHECKS = [
    positive_data_acceptance_but_data_rules if check is positive_data_acceptance else check
    for check in REGISTERED_CHECKS.get_all()
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


# Every operation of the schema, one test each, so that parallel test processes share them.
OPERATIONS = [
    ("GET", "/api/v1/behoeftepeilingen/"),
    ("GET", "/api/v1/behoeftepeilingen/{id}/"),
    ("GET", "/api/v1/betalingen/"),
    ("GET", "/api/v1/eindpositie/"),
    ("GET", "/api/v1/totalen/"),
    ("GET", "/api/v1/uitgaven/"),
    ("POST", "/api/v1/uitgaven/"),
    ("GET", "/api/v1/uitgaven/{id}/"),
    ("PUT", "/api/v1/uitgaven/{id}/"),
    ("PATCH", "/api/v1/uitgaven/{id}/"),
    ("DELETE", "/api/v1/uitgaven/{id}/"),
    ("POST", "/api/v1/uitgaven/bulk/"),
    ("GET", "/api/v1/vaststelling/"),
    ("GET", "/api/v1/verantwoordingen/"),
    ("GET", "/api/v1/verantwoordingen/{id}/"),
    ("GET", "/api/v1/verantwoordingen/{id}/{kind}/"),
]


def _schema():
    return schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)


@pytest.mark.usefixtures("_connection_kept_between_requests")
def test_the_schema_has_exactly_the_operations_tested(world):
    operations = [
        (result.ok().method.upper(), result.ok().path) for result in _schema().get_all_operations()
    ]
    assert sorted(operations) == sorted(OPERATIONS)
    assert len(operations) == 16


@pytest.mark.usefixtures("_connection_kept_between_requests")
@pytest.mark.parametrize(
    ("method", "path"), OPERATIONS, ids=[" ".join(operation) for operation in OPERATIONS]
)
def test_the_api_keeps_its_schema_and_its_municipality(world, settings, tmp_path, method, path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.API_THROTTLE_RATE = "1000000/minute"
    cache.clear()
    own_ids = _data(world.middelburg, "EIGEN-MDB")
    other_marker = "GEHEIM-VLS"
    other_ids = _data(world.vlissingen, other_marker)
    make_token(world.vlissingen)  # the other municipality has a token too
    secret = make_token(world.middelburg).secret
    headers = {"Authorization": f"Bearer {secret}"}

    sent = {"requests": 0}
    statuses: dict[int, int] = {}
    started = datetime.datetime.now()

    operation = _schema()[path][method]
    strategies = [
        operation.as_strategy(generation_mode=mode)
        for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)
    ]
    if operation.path in own_ids:
        for ids in (own_ids, other_ids):
            strategies.append(operation.as_strategy(path_parameters={"id": ids[operation.path]}))

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

    seconds = (datetime.datetime.now() - started).total_seconds()
    print(
        f"\nschemathesis: {method} {path}, {sent['requests']} requests in {seconds:.0f} s; "
        f"status codes {dict(sorted(statuses.items()))}"
    )
    assert sent["requests"] >= 10
