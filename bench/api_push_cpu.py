"""Benchmark: the CPU seconds of the API push against those of the file import of the same rows,
for a host too busy for wall times (`api_push.py` measures those).

Both run in this process on one database connection: the import through the service, the push
as the same 1,000-row requests through Django's test client (the whole middleware, view and
service; no HTTP or gunicorn). CPU is this process's (`time.process_time`) plus that of the
PostgreSQL backend serving the connection (`/proc/PID/stat`, so PostgreSQL on this host):
other work on the host stretches wall time but not these.

    DJANGO_DEBUG=false DJANGO_SECRET_KEY=bench-only \
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/npo_bench \
        python bench/api_push_cpu.py --rows 10000 --repeat 2

Not part of the test suite. Results: bench/README.md.
"""

import argparse
import datetime
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "npo_portal.settings")
os.environ.setdefault("IMPORT_MAX_ROWS", "200000")
os.environ["API_THROTTLE_RATE"] = "1000000/minute"
# One connection, so one backend process, for every request.
os.environ["DATABASE_CONN_MAX_AGE"] = "3600"

import api_push  # noqa: E402 - sets up Django
import import_expenditures as file_bench  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from api.models import Scope  # noqa: E402
from api.services import issue_token  # noqa: E402
from finance.services import import_expenditures  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")


def backend_cpu() -> float:
    """CPU seconds (user + system) of the PostgreSQL process serving this connection."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def measured(function) -> tuple[float, float, float]:
    """Wall seconds, this process's CPU seconds and the backend's CPU seconds of `function`."""
    wall, cpu, database = time.perf_counter(), time.process_time(), backend_cpu()
    function()
    return (
        time.perf_counter() - wall,
        time.process_time() - cpu,
        backend_cpu() - database,
    )


def bodies(rows: list[dict]) -> list[str]:
    """The rows as the JSON bodies of 1,000-row bulk requests: made before the clock runs, as
    the import's file is (encoding them is the sender's work, not the portal's)."""
    return [
        json.dumps({"rijen": rows[start : start + api_push.BATCH]})
        for start in range(0, len(rows), api_push.BATCH)
    ]


def push_requests(client, requests: list[str]) -> None:
    """The bulk requests through the test client; each must record."""
    for body in requests:
        response = client.post(
            "/api/v1/uitgaven/bulk/",
            data=body,
            content_type="application/json",
            secure=True,
        )
        if response.status_code != 201:
            raise SystemExit(f"{response.status_code}: {response.content[:500]}")


def prepare(count: int):
    """The bench municipality, its user, the file of `count` rows, the same rows for the API
    and a test client with a write token; after one warm-up push and import."""
    call_command("migrate", verbosity=0)
    municipality, user = file_bench.world()
    data = file_bench.csv_file(count)
    rows = api_push.api_rows(data)
    secret = issue_token(
        municipality=municipality,
        user=user,
        name="Bench CPU",
        scopes=[Scope.READ, Scope.WRITE_EXPENDITURES],
        expires_on=timezone.localdate() + datetime.timedelta(days=1),
    ).secret
    # A host the settings allow (the test client says "testserver").
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_HOST="localhost")
    # Warm up: the first request imports the URL configuration (WeasyPrint, openpyxl, …),
    # and the first import its readers; neither is the cost of a push or an import.
    file_bench.clear(municipality)
    push_requests(client, bodies(rows[: api_push.BATCH]))
    file_bench.clear(municipality)
    import_expenditures(municipality=municipality, data=file_bench.csv_file(100), user=user)
    return municipality, user, data, rows, client


def per_request(client, municipality, rows: list[dict]) -> None:
    """Push each row in a request of its own, twice (the second time on an empty
    municipality again), and print the CPU per request."""
    requests = [json.dumps({"rijen": [row]}) for row in rows]
    for _run in range(2):
        file_bench.clear(municipality)
        _wall, cpu, database = measured(lambda: push_requests(client, requests))
        print(
            f"{len(requests)} one-row requests: per request Python "
            f"{cpu / len(requests) * 1000:.2f} ms + PostgreSQL "
            f"{database / len(requests) * 1000:.2f} ms; load average {os.getloadavg()[0]:.1f}"
        )
    file_bench.clear(municipality)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument(
        "--by-date",
        action="store_true",
        help="push the rows in date order, as a ledger books them (the file is unchanged: "
        "its one statement does not care), so each request touches a few months of the "
        "summary instead of all of them",
    )
    parser.add_argument(
        "--per-request",
        type=int,
        metavar="N",
        help="instead: N requests of one new row each, and the CPU per request (what a "
        "request costs whatever its size)",
    )
    args = parser.parse_args()
    municipality, user, data, rows, client = prepare(max(args.rows, args.per_request or 0))
    if args.per_request:
        per_request(client, municipality, rows[: args.per_request])
        return
    requests = bodies(sorted(rows, key=lambda row: row["datum"]) if args.by_date else rows)

    def push():
        push_requests(client, requests)

    print(f"Rows: {len(rows)}; load average before: {os.getloadavg()[0]:.1f}")
    for run in range(1, args.repeat + 1):
        figures = {}
        for name, function in (
            (
                "import",
                lambda: import_expenditures(municipality=municipality, data=data, user=user),
            ),
            ("push", push),
        ):
            file_bench.clear(municipality)
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE finance_expenditure")
            figures[name] = measured(function)
            wall, cpu, database = figures[name]
            print(
                f"run {run} {name:6s}: wall {wall:6.2f} s, CPU {cpu + database:6.2f} s "
                f"(Python {cpu:.2f} s + PostgreSQL {database:.2f} s)"
            )
        ratio = sum(figures["push"][1:]) / sum(figures["import"][1:])
        print(
            f"run {run} ratio push / import: CPU {ratio:.2f}, "
            f"wall {figures['push'][0] / figures['import'][0]:.2f}; "
            f"load average {os.getloadavg()[0]:.1f}"
        )
    file_bench.clear(municipality)


if __name__ == "__main__":
    main()
