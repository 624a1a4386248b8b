"""Benchmark: import 100,000 expenditure rows through the real service, then time the pages.

Run against PostgreSQL (the database is migrated; a bench municipality GM9901 is created
and its expenditures are replaced):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/npo_finance \
        python bench/import_expenditures.py --rows 100000

Not part of the test suite. Results and how to read them: bench/README.md.
"""

import argparse
import datetime
import os
import random
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "npo_portal.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402

from accounts.models import Municipality, Role, User  # noqa: E402
from finance.models import Expenditure, SpendingSummary  # noqa: E402
from finance.selectors import finance_programme  # noqa: E402
from finance.services import import_expenditures  # noqa: E402
from plans.models import Allocation, Intervention, InterventionBudget, Plan, SpendingGoal  # noqa: E402

CODE = "GM9901"
GOALS = ["bovenschools", "voorschools", "zorg_welzijn", "samenwerking", "thuiszitters"]
EXTRA = ["huisvesting", "capaciteit"]


def world():
    programme = finance_programme()
    municipality, _ = Municipality.objects.get_or_create(
        code=CODE, defaults={"name": "Benchgemeente"}
    )
    Allocation.objects.get_or_create(
        programme=programme, municipality=municipality, defaults={"amount": 25_000_000}
    )
    plan, _ = Plan.objects.get_or_create(
        municipality=municipality, programme=programme, defaults={"title": "Benchplan"}
    )
    for number, code in enumerate(GOALS + EXTRA, start=1):
        intervention, _ = Intervention.objects.get_or_create(
            plan=plan,
            code=f"B-{number:02d}",
            defaults={
                "title": f"Interventie {number}",
                "goal": SpendingGoal.objects.get(code=code),
                "target_groups": ["po"],
                "start": programme.start,
                "end": programme.end,
            },
        )
        InterventionBudget.objects.get_or_create(
            intervention=intervention, year=2023, defaults={"amount": 1_000_000}
        )
    user, _ = User.objects.get_or_create(
        username="bench-financien",
        defaults={"role": Role.FINANCE_OFFICER, "municipality": municipality},
    )
    return municipality, user


def csv_file(rows: int) -> bytes:
    rng = random.Random(9901)  # noqa: S311 - reproducible test data
    codes = GOALS + EXTRA
    first = datetime.date(2021, 6, 1)  # a month before the period: some rows are ineligible
    span = (datetime.date(2025, 9, 30) - first).days
    lines = ["datum;bedrag;bestedingsdoel;interventie;omschrijving;leverancier;factuurnummer"]
    for number in range(rows):
        index = rng.randrange(len(codes))
        day = first + datetime.timedelta(days=rng.randrange(span))
        cents = rng.randrange(-50_000, 2_500_000)
        amount = (
            f"{cents // 100}.{cents % 100:02d}"
            if number % 2
            else (f"{cents / 100:,.2f}".replace(",", "X").replace(".", ",").replace("X", "."))
        )
        goal = str(index + 1) if index < 5 and number % 3 == 0 else codes[index]
        date = day.strftime("%d-%m-%Y") if number % 2 else day.isoformat()
        intervention = f"B-{index + 1:02d}" if number % 4 else ""
        lines.append(
            f"{date};{amount};{goal};{intervention};Uitgave {number} voor {codes[index]};"
            f"Leverancier {number % 250};F-{number:07d}"
        )
    return "\n".join(lines).encode()


def clear(municipality) -> None:
    """Remove the bench municipality's expenditures, their audit trail and their spending
    summary in three statements: a queryset delete would load every row and write 100,000
    'deleted' history rows. (The writes add their sums to the summary, so rows left there
    would count twice.)"""
    with connection.cursor() as cursor:
        for model in (Expenditure, Expenditure.history.model, SpendingSummary):
            cursor.execute(
                f"DELETE FROM {model._meta.db_table} WHERE municipality_id = %s",  # noqa: S608
                [municipality.pk],
            )


def timed(label, function):
    started = time.perf_counter()
    result = function()
    seconds = time.perf_counter() - started
    print(f"{label}: {seconds:.2f} s")
    return result, seconds


def page_timings(client, url, repeat=5):
    client.get(url, secure=True)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url, secure=True)
        times.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise SystemExit(f"{url}: {response.status_code}")
    return statistics.median(times) * 1000


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    print(
        f"Database: {connection.vendor} {connection.settings_dict['NAME']}, DEBUG={settings.DEBUG}"
    )
    municipality, user = world()
    clear(municipality)
    data = csv_file(args.rows)
    print(f"File: {args.rows} rows, {len(data) / 1e6:.1f} MB")

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result, _ = timed(
        "Import (first time)",
        lambda: import_expenditures(municipality=municipality, data=data, user=user),
    )
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        f"  created {result.created}, outside the period {result.outside_period}, "
        f"duplicates {len(result.duplicates)}"
    )
    print(
        f"  peak RSS of the process: {rss_after / 1024:.0f} MB (before: {rss_before / 1024:.0f} MB)"
    )

    again, _ = timed(
        "Re-import of the same file",
        lambda: import_expenditures(municipality=municipality, data=data, user=user),
    )
    print(f"  created {again.created}, duplicates reported {len(again.duplicates)}")

    clear(municipality)
    tracemalloc.start()
    timed(
        "Import under tracemalloc",
        lambda: import_expenditures(municipality=municipality, data=data, user=user),
    )
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"  peak Python allocation during the import: {peak / 1e6:.1f} MB")

    if connection.vendor == "postgresql":
        # What autovacuum does shortly after a bulk load; without fresh statistics the
        # planner takes the municipality for a handful of rows.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE finance_expenditure")

    # Without DEBUG the manifest storage wants collected static files; the pages' timings do
    # not depend on them.
    plain_static = override_settings(
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    )
    plain_static.enable()
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    base = f"/financien/{CODE}"
    count = Expenditure.objects.filter(municipality=municipality).count()
    middle = (
        Expenditure.objects.filter(municipality=municipality)
        .order_by("-date", "-id")
        .values_list("date", "id")[count // 2]
    )
    for label, url in [
        ("Dashboard", f"{base}/"),
        ("Expenditure list, first page", f"{base}/uitgaven/"),
        ("Expenditure list, page in the middle", f"{base}/uitgaven/?na={middle[0]}_{middle[1]}"),
        ("Expenditure list, year 2023 + goal", f"{base}/uitgaven/?jaar=2023&doel=zorg_welzijn"),
        ("Expenditure list, not eligible", f"{base}/uitgaven/?subsidiabel=niet"),
        ("Payments page", f"{base}/betalingen/"),
    ]:
        print(f"{label}: {page_timings(client, url):.0f} ms (median of 5)")


if __name__ == "__main__":
    main()
