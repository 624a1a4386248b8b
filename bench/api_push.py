"""Benchmark: push 100,000 expenditures through the API in 1,000-row requests, against the
file import of the same rows.

Run against PostgreSQL (the database is migrated; the bench municipality GM9901 of
import_expenditures.py is created and its expenditures are replaced). Starts gunicorn on the
loopback address with the same database and sends real HTTP requests with `requests`:

    DJANGO_DEBUG=false DJANGO_SECRET_KEY=bench-only \
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/npo_h20_bench \
        python bench/api_push.py --rows 100000

Not part of the test suite. Results and how to read them: bench/README.md.
"""

import argparse
import datetime
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "npo_portal.settings")
# One file of all the rows for the comparison, beyond the upload limit of 50,000 rows (the
# API server inherits it, but reads no files).
os.environ.setdefault("IMPORT_MAX_ROWS", "200000")

import import_expenditures as file_bench  # noqa: E402 - sets up Django
import requests  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from api.models import Scope  # noqa: E402
from api.services import issue_token  # noqa: E402
from finance.models import Expenditure  # noqa: E402
from finance.services import EXPENDITURE_COLUMNS, import_expenditures  # noqa: E402
from npo_portal import tables  # noqa: E402

BATCH = 1000


def api_rows(data: bytes) -> list[dict]:
    """The file's rows as the API takes them: ISO dates, amounts with two decimals, goal codes
    (the file also writes them as numbers), and a reference per booking."""
    rows = []
    for number, row in tables.read_table(data, columns=EXPENDITURE_COLUMNS):
        rows.append(
            {
                "datum": tables.parse_date(row["datum"]).isoformat(),
                "bedrag": f"{tables.parse_amount(row['bedrag']):.2f}",
                "bestedingsdoel": row["bestedingsdoel"],
                "interventie": row["interventie"] or None,
                "omschrijving": row["omschrijving"],
                "leverancier": row["leverancier"],
                "factuurnummer": row["factuurnummer"],
                "extern_id": f"BENCH-{number}",
            }
        )
    return rows


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "API_THROTTLE_RATE": "1000000/minute",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
    }
    server = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "gunicorn",
            "npo_portal.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--timeout",
            "300",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    # The socket accepts before the worker has loaded Django (seconds on a busy machine): a
    # short read timeout here is no sign of a dead server, only of a slow start.
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with code {server.returncode}")
        try:
            requests.get(f"http://127.0.0.1:{port}/health/", timeout=10)
            return server
        except requests.RequestException:
            time.sleep(0.2)
    server.kill()
    server.wait()
    raise SystemExit("gunicorn did not answer within 120 s")


def push(session, url, rows) -> tuple[list[float], int, int]:
    times, created, existing = [], 0, 0
    for start in range(0, len(rows), BATCH):
        started = time.perf_counter()
        response = session.post(url, json={"rijen": rows[start : start + BATCH]}, timeout=300)
        times.append(time.perf_counter() - started)
        if response.status_code not in (200, 201):
            raise SystemExit(f"{response.status_code}: {response.text[:500]}")
        created += response.json()["aangemaakt"]
        existing += response.json()["bestaand"]
    return times, created, existing


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    print(
        f"Database: {connection.vendor} {connection.settings_dict['NAME']}, DEBUG={settings.DEBUG}"
    )
    municipality, user = file_bench.world()
    data = file_bench.csv_file(args.rows)
    rows = api_rows(data)
    print(f"Rows: {len(rows)}, {len(rows) // BATCH + bool(len(rows) % BATCH)} requests of {BATCH}")

    file_bench.clear(municipality)
    _result, import_seconds = file_bench.timed(
        "File import of the same rows (in-process service)",
        lambda: import_expenditures(municipality=municipality, data=data, user=user),
    )
    file_bench.clear(municipality)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE finance_expenditure")

    secret = issue_token(
        municipality=municipality,
        user=user,
        name="Bench",
        scopes=[Scope.READ, Scope.WRITE_EXPENDITURES],
        expires_on=timezone.localdate() + datetime.timedelta(days=1),
    ).secret
    port = free_port()
    server = start_server(port)
    try:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {secret}"
        url = f"http://127.0.0.1:{port}/api/v1/uitgaven/bulk/"
        started = time.perf_counter()
        times, created, existing = push(session, url, rows)
        total = time.perf_counter() - started
        print(
            f"API push: {total:.2f} s for {len(times)} requests; created {created}, "
            f"existing {existing}"
        )
        print(
            f"  one 1,000-row request: median {statistics.median(times):.3f} s, "
            f"first {times[0]:.3f} s, slowest {max(times):.3f} s"
        )
        count = Expenditure.objects.filter(municipality=municipality).count()
        print(f"  expenditures stored: {count}")
        again_started = time.perf_counter()
        again_times, again_created, again_existing = push(session, url, rows)
        again = time.perf_counter() - again_started
        print(
            f"API push of the same rows again: {again:.2f} s; created {again_created}, "
            f"existing {again_existing}; one request median {statistics.median(again_times):.3f} s"
        )
        after = Expenditure.objects.filter(municipality=municipality).count()
        print(f"  expenditures stored: {after} (unchanged: {after == count})")
        print(f"Ratio API push / file import: {total / import_seconds:.2f}")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
