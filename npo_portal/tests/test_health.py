import pytest
from django.conf import settings
from django.test import override_settings

from npo_portal.celery import app as celery_app


def test_health_is_ok_on_embedded_defaults(client, db):
    with override_settings(CELERY_TASK_ALWAYS_EAGER=True):
        response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "in-process"}


@pytest.mark.skipif(not settings.CELERY_BROKER_URL, reason="no broker configured (REDIS_URL)")
def test_health_reports_the_real_broker(client, db):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json()["broker"] == "ok"


def test_health_is_503_when_the_broker_does_not_answer(client, db):
    previous = celery_app.conf.broker_url
    # Nothing listens on port 1: a real refused connection, not a mock.
    celery_app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        with override_settings(CELERY_TASK_ALWAYS_EAGER=False):
            response = client.get("/health/")
    finally:
        celery_app.conf.broker_url = previous
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "ok", "broker": "error"}


def test_health_answers_get_only(client, db):
    assert client.post("/health/").status_code == 405


def test_liveness_answers_without_asking_the_database_or_the_broker(client):
    """No `db` fixture: pytest-django refuses any database access in this test."""
    previous = celery_app.conf.broker_url
    celery_app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        with override_settings(CELERY_TASK_ALWAYS_EAGER=False):
            response = client.get("/health/live/")
    finally:
        celery_app.conf.broker_url = previous
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_the_probes_are_answered_over_plain_http_in_production(client, db, settings):
    """The orchestrator probes the pod over HTTP; a redirect to HTTPS would not reach it."""
    settings.SECURE_SSL_REDIRECT = True
    with override_settings(CELERY_TASK_ALWAYS_EAGER=True):
        assert client.get("/health/").status_code == 200
        assert client.get("/health/live/").status_code == 200
        assert client.get("/inzicht/").status_code == 301
