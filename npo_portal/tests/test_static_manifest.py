"""Production without `collectstatic`: a clear reason in the log and a Dutch error page, not
a bare "Internal Server Error" from the server."""

import logging

import pytest
from django.test import Client, override_settings

from npo_portal.staticfiles import MissingStaticManifest, PortalStaticFilesStorage


def test_the_storage_says_to_run_collectstatic(tmp_path):
    storage = PortalStaticFilesStorage(location=str(tmp_path))
    with pytest.raises(MissingStaticManifest, match=r"manage\.py collectstatic --noinput"):
        storage.url("css/portal.css")


def test_a_page_without_the_manifest_answers_the_plain_dutch_error_page(tmp_path, db, caplog):
    storages = {
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
        "staticfiles": {"BACKEND": "npo_portal.staticfiles.PortalStaticFilesStorage"},
    }
    client = Client(raise_request_exception=False)
    with (
        override_settings(STORAGES=storages, STATIC_ROOT=str(tmp_path), DEBUG=False),
        caplog.at_level(logging.ERROR),
    ):
        response = client.get("/inloggen/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "<h1>Er ging iets mis bij ons</h1>" in page
    assert 'lang="nl"' in page
    assert "collectstatic" in caplog.text
