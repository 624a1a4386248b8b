"""Benchmark: the accountability report of a large municipality, and the batch of a year.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/npo_reporting_bench \
        python bench/report.py single          # 2,000 expenditures, 40 interventions
    DATABASE_URL=... REDIS_URL=... CELERY_QUEUE=npo-bench python bench/report.py batch --year 2023
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/npo_scale_bench \
        python bench/report.py --largest     # national data: largest beside median, every year
    DATABASE_URL=... python bench/report.py one --municipality GM1709 --year 2021 --save x.pdf
    DATABASE_URL=... python bench/report.py job --year 2021 --runs 3   # largest: job / bare PDF

The batch needs workers on the same database, broker and queue (see bench/README.md).
Not part of the test suite.
"""

import argparse
import datetime
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "npo_portal.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.utils import timezone  # noqa: E402
from weasyprint import HTML  # noqa: E402

from accounts.models import Municipality  # noqa: E402
from finance.models import Expenditure, Payment  # noqa: E402
from finance.selectors import finance_programme  # noqa: E402
from finance.services import duplicate_key  # noqa: E402
from finance.summary import refresh_spending_summary  # noqa: E402
from npo_portal.pdf import PDF_VARIANT  # noqa: E402
from plans.models import Allocation, Intervention, InterventionBudget, Plan, SpendingGoal  # noqa: E402
from reporting import services  # noqa: E402
from reporting.models import ReportStatus  # noqa: E402
from reporting.rendering import ReportMeta, render_html, render_report_pdf, render_xlsx  # noqa: E402
from reporting.selectors import final_accounting_default, report_data  # noqa: E402

CODE = "GM9902"


def seed_large(expenditures: int, interventions: int) -> Municipality:
    programme = finance_programme()
    municipality, _ = Municipality.objects.get_or_create(
        code=CODE, defaults={"name": "Benchgemeente rapport"}
    )
    Expenditure.objects.filter(municipality=municipality).delete()
    Payment.objects.filter(municipality=municipality).delete()
    Plan.objects.filter(municipality=municipality).delete()
    Allocation.objects.update_or_create(
        programme=programme, municipality=municipality, defaults={"amount": Decimal("4800000.00")}
    )
    plan = Plan.objects.create(municipality=municipality, programme=programme, title="Benchplan")
    goals = list(SpendingGoal.objects.filter(programme=programme))
    rng = random.Random(6)  # noqa: S311 - reproducible test data, not security
    items = []
    for number in range(interventions):
        goal = goals[number % len(goals)]
        intervention = Intervention.objects.create(
            plan=plan,
            code=f"I-{number + 1:03d}",
            title=f"Interventie {number + 1} met een wat langere titel",
            goal=goal,
            target_groups=["po"],
            start=datetime.date(2021, 8, 1),
            end=datetime.date(2025, 7, 31),
        )
        InterventionBudget.objects.create(intervention=intervention, year=2022, amount=120000)
        items.append(intervention)
    rows = []
    for number in range(expenditures):
        intervention = items[number % len(items)]
        day = datetime.date(2021, 6, 1) + datetime.timedelta(days=rng.randrange(0, 1600))
        amount = Decimal(rng.randrange(-20000, 500000)) / 100
        rows.append(
            Expenditure(
                programme=programme,
                municipality=municipality,
                date=day,
                amount=amount,
                goal=intervention.goal,
                intervention=intervention,
                description=f"Bench {number}",
                duplicate_key=duplicate_key(
                    municipality_code=CODE,
                    date=day,
                    amount=amount,
                    goal_code=intervention.goal.code,
                    invoice_number=str(number),
                    supplier="",
                    description=f"Bench {number}",
                ),
                invoice_number=str(number),
            )
        )
    Expenditure.objects.bulk_create(rows, batch_size=1000)
    refresh_spending_summary(municipality_ids=[municipality.pk])
    return municipality


def timed(function, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _run in range(runs):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def single(args) -> None:
    call_command("migrate", verbosity=0)
    municipality = seed_large(args.expenditures, args.interventions)
    meta = ReportMeta(
        identifier=f"NPO-{CODE}-2022-bench", version="bench", date=timezone.localdate()
    )
    data_time, data = timed(
        lambda: report_data(municipality=municipality, year=2022, final_accounting=False), args.runs
    )
    html_time, html = timed(lambda: render_html(data, meta), args.runs)
    bare_time, pdf = timed(
        lambda: HTML(string=html, base_url=".").write_pdf(pdf_variant=PDF_VARIANT), args.runs
    )
    full_time, _ = timed(lambda: render_report_pdf(data, meta), args.runs)
    ineligible = sum(1 for _ in data.ineligible)
    print(
        f"{args.expenditures} expenditures, {args.interventions} interventions, "
        f"{ineligible} ineligible rows in 2022; median of {args.runs} runs"
    )
    print(f"report_data (finance_totals + plan data): {data_time * 1000:8.1f} ms")
    print(f"template to HTML ({len(html) / 1024:.0f} KiB):        {html_time * 1000:8.1f} ms")
    print(
        f"bare WeasyPrint of that HTML:             {bare_time * 1000:8.1f} ms "
        f"({len(pdf) / 1024:.0f} KiB)"
    )
    print(f"render_report_pdf (template + WeasyPrint): {full_time * 1000:8.1f} ms")


def batch(args) -> None:
    started = time.perf_counter()
    report_batch = services.start_batch(year=args.year, user=None)
    total = report_batch.reports.count()
    while report_batch.reports.filter(
        status__in=[ReportStatus.QUEUED, ReportStatus.RUNNING]
    ).exists():
        time.sleep(1)
    wall = time.perf_counter() - started
    reports = list(report_batch.reports.all())
    durations = [(r.finished_at - r.started_at).total_seconds() for r in reports if r.started_at]
    failed = sum(1 for r in reports if r.status == ReportStatus.FAILED)
    print(f"{total} reports over {args.year}, {failed} failed")
    print(
        f"wall time {wall:.1f} s; per report median {statistics.median(durations):.2f} s, "
        f"p95 {sorted(durations)[int(len(durations) * 0.95)]:.2f} s"
    )


def one_report(args) -> None:
    """Build one report in this process (a child of `largest`) and print its cost as JSON."""
    municipality = Municipality.objects.get(code=args.municipality)
    wall, cpu = time.perf_counter(), time.process_time()
    data = report_data(
        municipality=municipality,
        year=args.year,
        final_accounting=final_accounting_default(municipality=municipality, year=args.year),
    )
    meta = ReportMeta(
        identifier=f"NPO-{municipality.code}-{args.year}-bench",
        version="bench",
        date=timezone.localdate(),
    )
    content = (render_report_pdf if args.format == "pdf" else render_xlsx)(data, meta)
    if args.save:
        Path(args.save).write_bytes(content)
    result = {
        "wall": time.perf_counter() - wall,
        "cpu": time.process_time() - cpu,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "bytes": len(content),
    }
    if args.format == "pdf":
        info = subprocess.run(
            ["pdfinfo", "-"],  # noqa: S607 - poppler-utils from the PATH
            input=content,
            capture_output=True,
            check=True,
        ).stdout.decode()
        result["pages"] = int(info.split("Pages:")[1].split()[0])
    print(json.dumps(result))


def _cpu_ms(backend_pid: int) -> float:
    """CPU ms of this process plus its PostgreSQL backend (same host)."""
    fields = Path(f"/proc/{backend_pid}/stat").read_text().rsplit(")", 1)[1].split()
    return time.process_time() * 1000 + (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf(
        "SC_CLK_TCK"
    )


def job(args) -> None:
    """The worker's whole report job (`reporting.services.build_report`: data, PDF,
    spreadsheet, storing both with their checksums and status) against the bare PDF/UA
    render of the same report's HTML, alternating, in CPU ms of this process and its
    PostgreSQL backend; files go to a temporary MEDIA_ROOT. Default: the municipality with
    the most expenditures."""
    import tempfile

    from django.conf import settings
    from django.db import connection
    from django.test import override_settings

    from reporting.models import AccountabilityReport

    if args.municipality:
        municipality = Municipality.objects.get(code=args.municipality)
    else:
        top = (
            Expenditure.objects.filter(municipality__valid_until__isnull=True)
            .values("municipality")
            .annotate(n=Count("pk"))
            .order_by("-n", "municipality")
            .first()
        )
        municipality = Municipality.objects.get(pk=top["municipality"])
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    final = final_accounting_default(municipality=municipality, year=args.year)

    def bare() -> None:
        data = report_data(municipality=municipality, year=args.year, final_accounting=final)
        meta = ReportMeta(identifier="bench", version="bench", date=timezone.localdate())
        html = render_html(data, meta)
        started = _cpu_ms(backend)
        HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(pdf_variant=PDF_VARIANT)
        return _cpu_ms(backend) - started

    def whole() -> float:
        report = services._new_report(
            municipality=municipality, year=args.year, user=None, explanation="", batch=None
        )
        started = _cpu_ms(backend)
        services.build_report(report_id=report.pk)
        used = _cpu_ms(backend) - started
        report.refresh_from_db()
        if report.status != ReportStatus.DONE:
            raise SystemExit(f"report {report.pk}: {report.status} {report.failure_reason}")
        AccountabilityReport.objects.filter(pk=report.pk).delete()
        return used

    with override_settings(MEDIA_ROOT=tempfile.mkdtemp(prefix="npo-report-bench-")):
        bare()  # fonts and stylesheets loaded once, as in a worker that has run before
        bares, jobs = [], []
        for _run in range(args.runs):
            bares.append(bare())
            jobs.append(whole())
    ratio = statistics.median(jobs) / statistics.median(bares)
    print(f"{municipality.code} {args.year}, median of {args.runs}, CPU ms (process + backend)")
    print(f"bare PDF/UA render of the report's HTML: {statistics.median(bares):8.0f}  {bares}")
    print(f"the whole job (build_report):           {statistics.median(jobs):8.0f}  {jobs}")
    print(f"job / bare: {ratio:.2f}x")


def largest(args) -> None:
    """The largest municipality's report over every year beside the median municipality's,
    each built in a fresh process (for its own peak RSS), the two alternating per year."""
    counts = list(
        Expenditure.objects.filter(municipality__valid_until__isnull=True)
        .values_list("municipality__code")
        .annotate(n=Count("pk"))
        .order_by("-n", "municipality__code")
    )
    (big, big_n), (median, median_n) = counts[0], counts[len(counts) // 2]
    if args.codes:  # e.g. the municipalities an earlier run measured
        numbers = dict(counts)
        (big, big_n), (median, median_n) = ((code, numbers.get(code, 0)) for code in args.codes)
    programme = finance_programme()
    years = args.years or range(programme.start.year, programme.end.year + 2)
    print(f"largest {big} ({big_n:,} expenditures), median {median} ({median_n:,})")
    print(
        "| Year | Format | Largest wall s | CPU s | RSS MB | Median wall s | CPU s | RSS MB "
        "| Wall ratio | Pages L / M |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for year in years:
        for fmt in args.formats:
            row = []
            for code in (big, median):
                child = subprocess.run(  # noqa: S603 - this script with its own arguments
                    [sys.executable, __file__, "one", "--municipality", code, "--year", str(year), "--format", fmt],
                    capture_output=True, text=True, check=True,
                )  # fmt: skip
                row.append(json.loads(child.stdout.strip().splitlines()[-1]))
            b, m = row
            print(
                f"| {year} | {fmt} | {b['wall']:.1f} | {b['cpu']:.1f} | {b['rss_mb']:.0f} "
                f"| {m['wall']:.1f} | {m['cpu']:.1f} | {m['rss_mb']:.0f} | {b['wall'] / m['wall']:.2f}x "
                f"| {b.get('pages', '')} / {m.get('pages', '')} |",
                flush=True,
            )


if __name__ == "__main__":
    if "--largest" in sys.argv:
        parser = argparse.ArgumentParser()
        parser.add_argument("--largest", action="store_true")
        parser.add_argument("--formats", nargs="+", default=["pdf", "xlsx"])
        parser.add_argument("--codes", nargs=2, metavar=("LARGE", "MEDIAN"))
        parser.add_argument("--years", nargs="+", type=int)
        largest(parser.parse_args())
        sys.exit()
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    timed_job = sub.add_parser("job")
    timed_job.add_argument("--municipality", help="CBS code; default: most expenditures")
    timed_job.add_argument("--year", type=int, default=2021)
    timed_job.add_argument("--runs", type=int, default=3)
    child = sub.add_parser("one")
    child.add_argument("--municipality", required=True)
    child.add_argument("--year", type=int, required=True)
    child.add_argument("--format", choices=["pdf", "xlsx"], default="pdf")
    child.add_argument("--save", help="also write the file here")
    one = sub.add_parser("single")
    one.add_argument("--expenditures", type=int, default=2000)
    one.add_argument("--interventions", type=int, default=40)
    one.add_argument("--runs", type=int, default=5)
    many = sub.add_parser("batch")
    many.add_argument("--year", type=int, default=2023)
    args = parser.parse_args()
    {"single": single, "batch": batch, "one": one_report, "job": job}[args.command](args)
