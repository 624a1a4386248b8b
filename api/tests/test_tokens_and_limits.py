import datetime
import os
import re
import uuid

import pytest
import redis
from django.urls import reverse
from django.utils import timezone

from api.checks import throttle_cache_is_shared
from api.models import ApiRequest, ApiToken, Scope
from reporting.factories import AccountabilityReportFactory

from .conftest import make_token, row


def test_a_read_only_token_cannot_write_and_a_write_only_token_cannot_read(api, world):
    reader = make_token(world.middelburg, scopes=[Scope.READ])
    writer = make_token(world.middelburg, scopes=[Scope.WRITE_EXPENDITURES])
    assert api("post", "/api/v1/uitgaven/", row(), secret=reader.secret).status_code == 403
    assert api("get", "/api/v1/totalen/", secret=writer.secret).status_code == 403
    assert api("post", "/api/v1/uitgaven/", row(), secret=writer.secret).status_code == 201


def test_too_many_requests_get_429_with_retry_after(api, settings):
    settings.API_THROTTLE_RATE = "2/minute"
    assert api("get", "/api/v1/totalen/").status_code == 200
    assert api("get", "/api/v1/betalingen/").status_code == 200
    response = api("get", "/api/v1/totalen/")
    assert response.status_code == 429
    assert response["Content-Type"] == "application/problem+json"
    assert 0 < int(response["Retry-After"]) <= 60


def test_the_throttle_counts_per_token(api, world, settings):
    settings.API_THROTTLE_RATE = "1/minute"
    assert api("get", "/api/v1/totalen/").status_code == 200
    assert api("get", "/api/v1/totalen/").status_code == 429
    other = make_token(world.middelburg, name="Exact")
    assert api("get", "/api/v1/totalen/", secret=other.secret).status_code == 200


def test_the_throttle_counts_in_the_shared_cache_when_one_is_configured(api, settings):
    """Two gunicorn workers are two processes: the count must live in Redis, not in one
    worker's memory, or a token gets the rate once per worker."""
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        if os.environ.get("CI"):
            pytest.fail("CI must run this test: set REDIS_URL.")
        pytest.skip("Needs a Redis server (REDIS_URL).")
    prefix = f"npo-test-{uuid.uuid4().hex[:12]}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": prefix,
        }
    }
    settings.API_THROTTLE_RATE = "1/minute"
    server = redis.Redis.from_url(redis_url)
    try:
        assert api("get", "/api/v1/totalen/").status_code == 200
        assert server.keys(f"{prefix}:*"), "the count is not in Redis"
        assert api("get", "/api/v1/totalen/").status_code == 429
    finally:
        for key in server.keys(f"{prefix}:*"):
            server.delete(key)


def test_the_deployment_check_warns_when_the_throttle_counts_per_process(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert [warning.id for warning in throttle_cache_is_shared(None)] == ["api.W001"]
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/1",
        }
    }
    assert throttle_cache_is_shared(None) == []


def test_an_address_django_refuses_before_any_view_is_problem_json_under_the_api(api, client):
    response = api("get", "/api/v1/uitgaven/?q=%00")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 400
    assert "text/html" in client.get("/gemeenten/?q=%00")["Content-Type"]


def test_a_request_larger_than_the_limit_is_refused_unread(api, settings):
    settings.API_MAX_REQUEST_BYTES = 1000
    response = api("post", "/api/v1/uitgaven/bulk/", {"rijen": [row()] * 20})
    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"


def test_every_use_of_a_token_is_logged(api, token):
    api("get", "/api/v1/totalen/")
    api("get", "/api/v1/uitgaven/9999999/")
    logged = list(ApiRequest.objects.filter(token=token.token).order_by("at", "id"))
    assert [(r.method, r.endpoint, r.status) for r in logged] == [
        ("GET", "/api/v1/totalen/", 200),
        ("GET", "/api/v1/uitgaven/9999999/", 404),
    ]
    token.token.refresh_from_db()
    assert token.token.last_used_at is not None


def test_only_final_reports_offer_their_files(api, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    draft = AccountabilityReportFactory(municipality=world.middelburg.municipality, done=True)
    final = AccountabilityReportFactory(
        municipality=world.middelburg.municipality, year=2023, done=True, is_final=True
    )
    listed = {r["id"]: r for r in api("get", "/api/v1/verantwoordingen/").json()}
    assert listed[draft.pk]["pdf"] is None
    assert listed[final.pk]["pdf"].endswith(f"/api/v1/verantwoordingen/{final.pk}/pdf/")
    assert api("get", f"/api/v1/verantwoordingen/{draft.pk}/pdf/").status_code == 404
    download = api("get", f"/api/v1/verantwoordingen/{final.pk}/pdf/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert api("get", f"/api/v1/verantwoordingen/{final.pk}/").json()["status"] == "klaar"


# The finance officer's pages ----------------------------------------------------------------


def test_a_finance_officer_makes_a_token_shown_once_and_stored_hashed(client, world):
    officer = world.middelburg.finance_officer
    client.force_login(officer)
    url = reverse("api-tokens:list", kwargs={"code": "GM0687"})
    response = client.post(
        url,
        {
            "name": "Key2Financiën",
            "scopes": [Scope.READ, Scope.WRITE_EXPENDITURES],
            "expires_on": (timezone.localdate() + datetime.timedelta(days=90)).isoformat(),
        },
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    secret = re.search(r'value="(npo_[^"]+)"', response.content.decode()).group(1)
    token = ApiToken.objects.get()
    assert token.municipality == world.middelburg.municipality
    assert token.created_by == officer
    assert secret not in str(ApiToken.objects.values().get())
    assert secret not in client.get(url).content.decode()  # never shown again
    client.logout()
    answer = client.get("/api/v1/totalen/", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert answer.status_code == 200


def test_a_revoked_token_is_refused_at_once(client, world, token):
    client.force_login(world.middelburg.finance_officer)
    revoke = reverse("api-tokens:revoke", kwargs={"code": "GM0687", "pk": token.token.pk})
    assert client.post(revoke).status_code == 302
    client.logout()
    response = client.get("/api/v1/totalen/", HTTP_AUTHORIZATION=f"Bearer {token.secret}")
    assert response.status_code == 401


@pytest.mark.parametrize("role", ["policy_officer", "board_user"])
def test_only_finance_officers_manage_tokens(client, world, role):
    client.force_login(getattr(world.middelburg, role))
    url = reverse("api-tokens:list", kwargs={"code": "GM0687"})
    assert client.get(url).status_code in (403, 404)


def test_a_token_expires_within_two_years(client, world):
    client.force_login(world.middelburg.finance_officer)
    response = client.post(
        reverse("api-tokens:list", kwargs={"code": "GM0687"}),
        {
            "name": "Te lang",
            "scopes": [Scope.READ],
            "expires_on": (timezone.localdate() + datetime.timedelta(days=800)).isoformat(),
        },
    )
    assert response.status_code == 200
    assert not ApiToken.objects.exists()


# The schema and its documentation pages ------------------------------------------------------


def test_the_docs_pages_load_only_our_own_scripts(client, db):
    """The schema reads the programme's spending goals (the enum of `bestedingsdoel`)."""
    assert client.get("/api/v1/schema/").status_code == 200
    for path in ("/api/v1/docs/", "/api/v1/redoc/"):
        response = client.get(path)
        assert response.status_code == 200
        html = response.content.decode()
        scripts = re.findall(r"<script([^>]*)>", html)
        assert scripts and all('src="/' in attributes for attributes in scripts), path
        assert "script-src 'self'" in response["Content-Security-Policy"]
    script = client.get("/api/v1/docs/?script=")
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.content.decode()
