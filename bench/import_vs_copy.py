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
"""

import argparse
import io
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import import_expenditures as bench
from django.db import connection, transaction

from finance.models import Expenditure
from finance.services import import_expenditures


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


def timed(function) -> float:
    started = time.perf_counter()
    with transaction.atomic():
        function()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("COPY needs PostgreSQL.")
    municipality, user = bench.world()
    bench.clear(municipality)
    data = bench.csv_file(args.rows)
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

    print(f"| What | {count:,} rows | Ratio |\n|---|---:|---:|")
    print(f"| Import through the service (with history) | {imported:.2f} s | 1.0 |")
    print(f"| COPY of the expenditure rows | {copied:.2f} s | {imported / copied:.1f}x |")
    print(
        f"| COPY of the expenditure and history rows | {copied_both:.2f} s "
        f"| {imported / copied_both:.1f}x |"
    )


if __name__ == "__main__":
    main()
