"""Where the API push's CPU goes against the file import's: cProfile on process time, and the
PostgreSQL backend's CPU per kind of statement.

Both run in this process on one connection, as in `api_push_cpu.py` (the push as the same
1,000-row requests through Django's test client), after a warm-up:

    DJANGO_DEBUG=false DJANGO_SECRET_KEY=bench-only \
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/npo_apipush \
        python bench/profile_push.py --rows 20000 [--top 30]

Prints, for the import and the push: Python CPU and backend CPU, the backend CPU and count by
statement (its first words; COPY is not seen: psycopg2's copy_expert bypasses Django's
cursor), and the functions with the most cumulative and own process time.
Not part of the test suite. Results: bench/README.md.
"""

import argparse
import cProfile
import io
import pstats
import re
import time
from collections import defaultdict
from pathlib import Path

import api_push_cpu as cpu_bench  # sets up Django as api_push_cpu.py does
from api_push_cpu import backend_cpu, file_bench
from django.db import connection

from finance.services import import_expenditures


class StatementCost:
    """The backend's CPU seconds and the count by statement kind, while installed."""

    def __init__(self):
        self.cpu: dict[str, float] = defaultdict(float)
        self.count: dict[str, int] = defaultdict(int)

    def __call__(self, execute, sql, params, many, context):
        before = backend_cpu_raw()
        try:
            return execute(sql, params, many, context)
        finally:
            kind = re.sub(r"\s+", " ", sql)[:70]
            self.cpu[kind] += backend_cpu_raw() - before
            self.count[kind] += 1

    def report(self, total: float) -> None:
        for kind, seconds in sorted(self.cpu.items(), key=lambda item: -item[1])[:12]:
            print(f"  {seconds:6.2f} s  {self.count[kind]:5d}x  {kind}")
        print(f"  {total - sum(self.cpu.values()):6.2f} s  (COPY and the rest)")


PID = None


def backend_cpu_raw() -> float:
    fields = Path(f"/proc/{PID}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / cpu_bench.TICKS


def profiled(label, function, top):
    costs = StatementCost()
    profile = cProfile.Profile(time.process_time)
    database = backend_cpu()
    started = time.process_time()
    with connection.execute_wrapper(costs):
        profile.runcall(function)
    python = time.process_time() - started
    database = backend_cpu() - database
    print(f"\n== {label}: Python {python:.2f} s (under the profiler), PostgreSQL {database:.2f} s")
    costs.report(database)
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats(order).print_stats(top)
        text = out.getvalue()
        print(text[text.index("   ncalls") :])


def main():
    global PID
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    municipality, user, data, rows, client = cpu_bench.prepare(args.rows)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        PID = cursor.fetchone()[0]

    requests = cpu_bench.bodies(rows)
    for label, function in (
        ("import", lambda: import_expenditures(municipality=municipality, data=data, user=user)),
        ("push", lambda: cpu_bench.push_requests(client, requests)),
    ):
        file_bench.clear(municipality)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE finance_expenditure")
        profiled(label, function, args.top)
    file_bench.clear(municipality)


if __name__ == "__main__":
    main()
