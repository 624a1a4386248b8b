"""Tenant isolation of the REST API: every endpoint with every token.

The endpoints are discovered from the `api-v1` namespace, not listed: a new endpoint fails
`test_every_api_endpoint_is_classified` until it has an entry in ENDPOINTS. Each
municipality has five tokens (read and write, read only, write only, expired, revoked); each
is sent to every endpoint with every method it answers, pointed at the other municipality's
objects. None may read or change them: object URLs are refused (401/403/404) and leave the
object as it was, lists never contain the other's data, and whatever a token records lands
in its own municipality.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from api.models import ApiToken, Scope
from api.services import issue_token, revoke_token
from api.tests.conftest import marked_data
from finance.models import Expenditure
from settlement.factories import SettlementFactory
from tests.test_isolation import API_NAMESPACE

PUBLIC_ENDPOINTS = {
    "schema": "the OpenAPI description; no data",
    "docs": "Swagger UI page; no data",
    "redoc": "Redoc page; no data",
}

# name -> (kind of object the URL points at, methods). "list" endpoints take no object.
ENDPOINTS = {
    "expenditure-list": ("list", ["get", "post"]),
    "expenditure-bulk": ("list", ["post"]),
    "expenditure-detail": ("expenditure", ["get", "put", "patch", "delete"]),
    "payment-list": ("list", ["get"]),
    "totals": ("list", ["get"]),
    "final-position": ("list", ["get"]),
    "settlement": ("list", ["get"]),
    "report-list": ("list", ["get"]),
    "report-detail": ("report", ["get"]),
    "report-file": ("report-file", ["get"]),
    "round-list": ("list", ["get"]),
    "round-picture": ("round", ["get"]),
}
TOKEN_KINDS = ["read-write", "read", "write", "expired", "revoked"]
REFUSED = {401, 403, 404}


def api_url_names() -> set[str]:
    def walk(patterns, namespace=None):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, entry.namespace or namespace)
            elif isinstance(entry, URLPattern) and entry.name and namespace == API_NAMESPACE:
                yield entry.name

    return set(walk(get_resolver().url_patterns))


def test_every_api_endpoint_is_classified():
    names = api_url_names()
    assert names, "the API namespace was not found"
    assert names - set(PUBLIC_ENDPOINTS) == set(ENDPOINTS)


@dataclass
class Side:
    """One municipality's data that the other must never reach, and its tokens."""

    marker: str
    code: str
    expenditure: Expenditure
    report_pk: int
    round_pk: int
    secrets: dict[str, str]


def _tokens(organisation) -> dict[str, str]:
    def issue(name, scopes):
        return issue_token(
            municipality=organisation.municipality,
            user=organisation.finance_officer,
            name=name,
            scopes=scopes,
            expires_on=timezone.localdate() + datetime.timedelta(days=30),
        )

    both = [Scope.READ, Scope.WRITE_EXPENDITURES]
    secrets = {
        "read-write": issue("rw", both).secret,
        "read": issue("r", [Scope.READ]).secret,
        "write": issue("w", [Scope.WRITE_EXPENDITURES]).secret,
    }
    expired = issue("expired", both)
    ApiToken.objects.filter(pk=expired.token.pk).update(
        expires_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    secrets["expired"] = expired.secret
    revoked = issue("revoked", both)
    revoke_token(token=revoked.token, user=organisation.finance_officer)
    secrets["revoked"] = revoked.secret
    return secrets


def _side(organisation) -> Side:
    municipality = organisation.municipality
    marker = f"GEHEIM-{municipality.code}"
    made = marked_data(organisation, marker)
    SettlementFactory(municipality=municipality, reference=marker)
    return Side(
        marker=marker,
        code=municipality.code,
        expenditure=made.expenditure,
        report_pk=made.report.pk,
        round_pk=made.needs_round.pk,
        secrets=_tokens(organisation),
    )


def _url(name: str, kind: str, target: Side) -> str:
    kwargs = {
        "list": {},
        "expenditure": {"pk": target.expenditure.pk},
        "report": {"pk": target.report_pk},
        "report-file": {"pk": target.report_pk, "kind": "pdf"},
        "round": {"pk": target.round_pk},
    }[kind]
    return reverse(f"{API_NAMESPACE}:{name}", kwargs=kwargs)


def _body(name: str, target: Side) -> dict:
    row = {
        "datum": "2023-04-01",
        "bedrag": "99.00",
        "bestedingsdoel": "bovenschools",
        "omschrijving": "Poging tot schrijven bij de ander",
        # Fields naming the other municipality are not part of the input and change nothing.
        "gemeente": target.code,
        "municipality": target.code,
    }
    if name == "expenditure-bulk":
        return {"rijen": [row]}
    return row


@pytest.fixture
def sides(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return _side(world.middelburg), _side(world.vlissingen)


def _fingerprint(expenditure: Expenditure) -> tuple:
    stored = Expenditure.objects.get(pk=expenditure.pk)
    return (stored.date, stored.amount, stored.description, stored.version, stored.municipality_id)


def test_no_token_reaches_the_other_municipalitys_data(client, sides, settings):
    settings.API_THROTTLE_RATE = "100000/minute"
    checked = 0
    for mine, other in (sides, sides[::-1]):
        for kind in TOKEN_KINDS:
            for name, (target_kind, methods) in ENDPOINTS.items():
                for method in methods:
                    cache.clear()
                    other_count = Expenditure.objects.filter(municipality__code=other.code).count()
                    before = _fingerprint(other.expenditure)
                    url = _url(name, target_kind, other)
                    headers = {"HTTP_AUTHORIZATION": f"Bearer {mine.secrets[kind]}"}
                    if method == "get":
                        response = client.get(url, **headers)
                    else:
                        response = getattr(client, method)(
                            url,
                            json.dumps(_body(name, other)),
                            content_type="application/json",
                            **headers,
                        )
                    label = f"{mine.code} {kind} {method.upper()} {name}"
                    body = b"".join(response) if response.streaming else response.content
                    assert other.marker.encode() not in body, label
                    if target_kind != "list":
                        assert response.status_code in REFUSED, f"{label}: {response.status_code}"
                    else:
                        assert response.status_code < 500, f"{label}: {response.status_code}"
                    assert _fingerprint(other.expenditure) == before, label
                    assert (
                        Expenditure.objects.filter(municipality__code=other.code).count()
                        == other_count
                    ), label
                    checked += 1
    per_side = len(TOKEN_KINDS) * sum(len(methods) for _kind, methods in ENDPOINTS.values())
    assert checked == 2 * per_side == 160


def test_tokens_reach_their_own_municipalitys_data(client, sides, settings):
    """The refusals above are not an artefact of an API that refuses everyone."""
    settings.API_THROTTLE_RATE = "100000/minute"
    middelburg, _vlissingen = sides
    headers = {"HTTP_AUTHORIZATION": f"Bearer {middelburg.secrets['read']}"}
    for name, (target_kind, methods) in ENDPOINTS.items():
        if "get" not in methods:
            continue
        response = client.get(_url(name, target_kind, middelburg), **headers)
        assert response.status_code == 200, name
        if name in ("expenditure-list", "payment-list", "round-list", "round-picture"):
            assert middelburg.marker.encode() in response.content, name


@pytest.mark.parametrize("kind", ["expired", "revoked"])
def test_expired_and_revoked_tokens_reach_nothing(client, sides, kind):
    middelburg, _vlissingen = sides
    response = client.get(
        reverse(f"{API_NAMESPACE}:totals"),
        HTTP_AUTHORIZATION=f"Bearer {middelburg.secrets[kind]}",
    )
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
