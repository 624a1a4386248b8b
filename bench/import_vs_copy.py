"""Benchmark: the import of 100,000 expenditures against PostgreSQL's COPY of the same rows.

Reuses bench/import_expenditures.py (its bench municipality GM9901 and its generated file):

    DJANGO_DEBUG=false DJANGO_SECRET_KEY=bench-only \
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/npo_scale_bench \
        python bench/import_vs_copy.py --rows 100000

1. imports the file through `finance.services.import_expenditures` (validation, duplicate
   detection, insert with a history record per row) and times it;
2. copies the rows it created out (`COPY ... TO STDOUT`), and those of their history table;
3. deletes both and times `COPY ... FROM STDIN` of the expenditures alone and of the
   expenditures plus their history rows (what the import writes);
4. reports the ratios and removes the bench municipality's rows again.

Each step is timed as wall time and as CPU time of this process plus its PostgreSQL backend
(read from /proc, same host), so that a busy host shows in the wall column only. `--runs N`
repeats the whole comparison and prints every run. IMPORT_MAX_ROWS is raised to the row count
for the bench (the portal refuses files over 50,000 rows by default).
"""

import argparse
import io
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import import_expenditures as bench
from django.conf import settings
from django.db import connection, transaction

from finance.models import Expenditure
from finance.services import import_expenditures
from finance.summary import refresh_spending_summary


def copy_out(table: str, municipality_id: int) -> tuple[str, io.StringIO]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position) "
            "FROM information_schema.columns WHERE table_name = %s",
            [table],
        )
        columns = cursor.fetchone()[0]
        buffer = io.StringIO()
        cursor.cursor.copy_expert(
            f"COPY (SELECT {columns} FROM {table} WHERE municipality_id = {int(municipality_id)}) "  # noqa: S608
            "TO STDOUT",
            buffer,
        )
    return columns, buffer


def copy_in(table: str, columns: str, buffer: io.StringIO) -> None:
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer)


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def cpu_seconds() -> float:
    """CPU seconds so far of this process plus its PostgreSQL backend (same host)."""
    fields = Path(f"/proc/{backend_pid()}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return time.process_time() + (int(fields[11]) + int(fields[12])) / ticks


def timed(function) -> tuple[float, float]:
    cpu, started = cpu_seconds(), time.perf_counter()
    with transaction.atomic():
        function()
    return time.perf_counter() - started, cpu_seconds() - cpu


def one_run(run: int, municipality, user, data: bytes) -> None:
    imported = timed(lambda: import_expenditures(municipality=municipality, data=data, user=user))
    count = Expenditure.objects.filter(municipality=municipality).count()
    table, history = Expenditure._meta.db_table, Expenditure.history.model._meta.db_table
    main_columns, main_rows = copy_out(table, municipality.pk)
    history_columns, history_rows = copy_out(history, municipality.pk)

    bench.clear(municipality)
    copied = timed(lambda: copy_in(table, main_columns, main_rows))
    bench.clear(municipality)
    copied_both = timed(
        lambda: (
            copy_in(table, main_columns, main_rows),
            copy_in(history, history_columns, history_rows),
        )
    )
    bench.clear(municipality)
    print(
        f"| {run} ({count:,} rows) | {imported[0]:.2f} | {imported[1]:.2f} "
        f"| {copied[0]:.2f} | {copied[1]:.2f} | {copied_both[0]:.2f} | {copied_both[1]:.2f} "
        f"| {imported[0] / copied_both[0]:.2f}x | {imported[1] / copied_both[1]:.2f}x |",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("COPY needs PostgreSQL.")
    settings.IMPORT_MAX_ROWS = max(settings.IMPORT_MAX_ROWS, args.rows)
    municipality, user = bench.world()
    bench.clear(municipality)
    data = bench.csv_file(args.rows)
    print(
        "| Run | Import wall s | CPU s | COPY expenditures wall s | CPU s "
        "| COPY + history wall s | CPU s | Ratio wall | Ratio CPU |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for run in range(1, args.runs + 1):
        one_run(run, municipality, user, data)
    refresh_spending_summary(municipality_ids=[municipality.pk])


if __name__ == "__main__":
    main()
