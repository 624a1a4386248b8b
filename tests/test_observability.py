"""What an operator's monitoring reads: /metrics (protected by a bearer token) and log lines
as JSON in UTC with a request id that follows a request into the tasks it enqueues."""

import datetime
import json
import logging
import os
import re
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.urls import reverse
from prometheus_client.parser import text_string_to_metric_families

from conftest import _forget_task_metrics, _start_worker, _stop
from npo_portal.celery import app as celery_app
from npo_portal.logs import JsonFormatter, request_id
from reporting.models import AccountabilityReport, ReportStatus
from reporting.tests.conftest import hand_made_data
from tests.test_faults import wait_for
from tests.world import build_world

TOKEN = "scrape-me-" + "x" * 20


def scrape(client) -> str:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    return response.content.decode()


def sample(text: str, name: str, **labels) -> float | None:
    for family in text_string_to_metric_families(text):
        for found in family.samples:
            if found.name == name and all(found.labels.get(k) == v for k, v in labels.items()):
                return found.value
    return None


# /metrics ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_metrics_answer_only_with_the_bearer_token(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404  # not configured: not there
    settings.METRICS_TOKEN = TOKEN
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Basic {TOKEN}").status_code == 401
    assert "npo_http_requests_total" not in client.get("/metrics").content.decode()
    assert "npo_http_requests_total" in scrape(client)


@pytest.mark.django_db
def test_metrics_count_requests_per_view_and_status_with_latency_and_database_time(
    client, settings
):
    settings.METRICS_TOKEN = TOKEN
    before = scrape(client)
    health = {"view": "health", "method": "GET", "status": "200"}
    missing = {"view": "unresolved", "method": "GET", "status": "404"}
    client.get(reverse("health"))
    client.get("/geen-pagina/")
    after = scrape(client)

    def grew(name, **labels):
        return (sample(after, name, **labels) or 0) - (sample(before, name, **labels) or 0)

    assert grew("npo_http_requests_total", **health) == 1
    assert grew("npo_http_requests_total", **missing) == 1
    assert grew("npo_http_request_duration_seconds_count", view="health", method="GET") == 1
    assert grew("npo_http_request_database_seconds_count", view="health") == 1
    assert sample(after, "npo_http_request_database_seconds_sum", view="health") > 0
    assert (
        sample(after, "npo_http_request_duration_seconds_bucket", view="health", le="+Inf")
        is not None
    )
    # The scrape itself is not counted, and paths never become labels.
    assert sample(after, "npo_http_requests_total", view="metrics") is None
    assert "geen-pagina" not in after


# Logs ----------------------------------------------------------------------------------------


def test_a_log_line_is_one_json_object_in_utc_with_the_request_id():
    record = logging.LogRecord("finance", logging.WARNING, __file__, 1, "Saldo %s", ("laag",), None)
    token = request_id.set("abc-123")
    try:
        line = JsonFormatter().format(record)
    finally:
        request_id.reset(token)
    fields = json.loads(line)
    assert "\n" not in line
    assert fields["message"] == "Saldo laag"
    assert fields["level"] == "WARNING"
    assert fields["logger"] == "finance"
    assert fields["request_id"] == "abc-123"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", fields["time"])
    moment = datetime.datetime.fromisoformat(fields["time"].replace("Z", "+00:00"))
    assert moment == datetime.datetime.fromtimestamp(record.created, datetime.UTC).replace(
        microsecond=moment.microsecond
    )


def test_gunicorn_access_lines_become_fields():
    atoms = {
        "h": "10.0.0.7",
        "m": "GET",
        "U": "/health/",
        "q": "",
        "s": "200",
        "B": 41,
        "a": "kube-probe/1.30",
        "D": 2500,
        "{x-request-id}o": "f00d",
    }
    record = logging.LogRecord(
        "gunicorn.access", logging.INFO, __file__, 1, "%(h)s", (atoms,), None
    )
    fields = json.loads(JsonFormatter().format(record))
    assert fields["message"] == "request"
    assert fields["status"] == "200"
    assert fields["path"] == "/health/"
    assert fields["request_id"] == "f00d"
    assert fields["duration_ms"] == 2.5
    assert "query" not in fields


@pytest.mark.django_db
def test_a_request_gets_an_id_and_a_proxys_id_is_taken_only_when_trusted(client, settings):
    generated = client.get(reverse("health"), HTTP_X_REQUEST_ID="from-client")["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", generated)
    settings.PORTAL_TRUST_REQUEST_ID = True
    assert client.get(reverse("health"), HTTP_X_REQUEST_ID="proxy-42")["X-Request-ID"] == (
        "proxy-42"
    )
    forged = client.get(reverse("health"), HTTP_X_REQUEST_ID='x"\n{"level":"ERROR"}')
    assert re.fullmatch(r"[0-9a-f]{32}", forged["X-Request-ID"])


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_the_request_id_follows_a_report_into_the_worker_and_its_task_is_counted(
    client, reference_data, settings, tmp_path
):
    settings.METRICS_TOKEN = TOKEN
    settings.PORTAL_TRUST_REQUEST_ID = True
    world = build_world()
    hand_made = hand_made_data(world.middelburg)
    municipality = hand_made.municipality
    queue = f"npo-test-obs-{uuid.uuid4().hex[:12]}"
    log_path = tmp_path / "worker.log"
    session_queue = celery_app.conf.task_default_queue
    with log_path.open("w") as log:
        worker = _start_worker(
            queue=queue, extra_env={"MEDIA_ROOT": str(settings.MEDIA_ROOT)}, stdout=log
        )
    celery_app.conf.task_default_queue = queue
    try:
        client.force_login(hand_made.finance_officer)
        the_id = f"req-{uuid.uuid4().hex}"
        response = client.post(
            reverse("reporting:report-list", args=[municipality.code]),
            {"year": 2022},
            HTTP_X_REQUEST_ID=the_id,
        )
        assert response.status_code == 302
        assert response["X-Request-ID"] == the_id
        report = AccountabilityReport.objects.get()
        # Jobs are sent without a result (npo_portal.queueing): the report's row is the outcome.
        wait_for(
            lambda: AccountabilityReport.objects.filter(
                pk=report.pk, status__in=(ReportStatus.DONE, ReportStatus.FAILED)
            ).exists(),
            timeout=120,
            what="the report to end",
        )
        report.refresh_from_db()
        assert report.status == ReportStatus.DONE
        text = scrape(client)
    finally:
        celery_app.conf.task_default_queue = session_queue
        _stop(worker)
        _forget_task_metrics(queue)

    lines = [json.loads(line) for line in log_path.read_text().splitlines() if line.startswith("{")]
    of_the_task = [line for line in lines if line.get("task_id") == report.task_id]
    assert of_the_task, log_path.read_text()[-3000:]
    assert all(line["request_id"] == the_id for line in of_the_task)
    assert any("done" in line["message"] for line in of_the_task)
    assert all(line["time"].endswith("Z") for line in lines)
    task = "reporting.tasks.build_report"
    assert sample(text, "npo_celery_tasks_total", task=task, state="SUCCESS") == 1
    assert sample(text, "npo_celery_task_duration_seconds_count", task=task) == 1
    assert sample(text, "npo_queue_depth", queue=f"{queue}-reports") == 0
    print(
        "\n".join(line for line in text.splitlines() if "build_report" in line or "health" in line)
    )


def access_processes(log_path) -> set[int]:
    """The processes of the access lines gunicorn has written so far."""
    processes = set()
    for line in log_path.read_text().splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:  # a line being written
            continue
        if record.get("logger") == "gunicorn.access":
            processes.add(record["process"])
    return processes


def test_gunicorn_logs_json_in_utc_and_its_processes_share_the_metrics(tmp_path):
    """gunicorn with the project's gunicorn.conf.py, as the image runs it: its own lines and
    the access line are JSON in UTC with the request id, and /metrics sums the request
    counts of both worker processes (prometheus_client's multiprocess files)."""
    import socket
    import subprocess
    import sys
    import time
    from pathlib import Path

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log_path = tmp_path / "gunicorn.log"
    env = {
        **os.environ,
        "PORTAL_TRUST_REQUEST_ID": "true",
        "LOG_FORMAT": "json",
        "METRICS_TOKEN": TOKEN,
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
        # Its own empty database and no broker: /health/ answers 200 without the test's.
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "REDIS_URL": "",
        "CELERY_BROKER_URL": "",
        "CELERY_RESULT_BACKEND": "",
        "CACHE_URL": "",
    }
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "npo_portal.wsgi:application",
                f"--bind=127.0.0.1:{port}",
                "--workers=2",
            ],
            cwd=Path(__file__).resolve().parent.parent,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"

    def get(path, **headers):
        response = requests.get(base + path, headers=headers, timeout=90)
        return response.status_code, response.text

    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                get("/health/")
                break
            except requests.ConnectionError:
                assert server.poll() is None, log_path.read_text()
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)  # a server process starting; nothing to wait on but its port
        # Requests in bursts of four at once until both processes have answered one: on a
        # quiet host the process that started first can take every request sent one by one.
        sent = 0
        while len(access_processes(log_path)) < 2:
            assert time.monotonic() < deadline + 30, "one gunicorn process answered everything"
            ids = [f"gunicorn-{number}" for number in range(sent, sent + 4)]
            with ThreadPoolExecutor(max_workers=4) as pool:
                answers = list(pool.map(lambda id_: get("/health/", **{"X-Request-ID": id_}), ids))
            assert [status for status, _text in answers] == [200] * 4
            sent += 4
        status, text = get("/metrics", Authorization=f"Bearer {TOKEN}")
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert status == 200
    assert sample(text, "npo_http_requests_total", view="health", method="GET") >= sent + 1
    lines = log_path.read_text().splitlines()
    records = [json.loads(line) for line in lines]  # every line is JSON
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", r["time"]) for r in records)
    access = [r for r in records if r["logger"] == "gunicorn.access"]
    assert {r.get("request_id") for r in access} >= {f"gunicorn-{n}" for n in range(sent)}
    assert {r["logger"] for r in records} >= {"gunicorn.error", "gunicorn.access"}
    assert len({r["process"] for r in access}) == 2
