"""Benchmark: the report batch on the national data set with 1 and 2 Celery workers.

    DJANGO_DEBUG=false DJANGO_SECRET_KEY=bench-only \
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/npo_scale_bench \
    REDIS_URL=redis://127.0.0.1:6379/0 \
        python bench/report_batch.py --workers 1 2 [--municipalities 342]

For each worker count it starts that many `celery worker --pool=solo` processes on a
dedicated queue (npo-scale-bench) against the same database and broker, queues the year's
reports exactly as `reporting.services.start_batch` does (one Celery group) — for the first
--municipalities municipalities by CBS code, all 342 by default — waits until none is queued
or rendering, and reports wall time, per-report median/p95 and the speed-up. Then it stops
its workers. Not part of the test suite.
"""

import argparse
import datetime
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUEUE = "npo-scale-bench"
sys.path.insert(0, str(ROOT))
os.environ["CELERY_QUEUE"] = QUEUE
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "npo_portal.settings")

import django  # noqa: E402

django.setup()

from celery import group  # noqa: E402
from django.db import transaction  # noqa: E402

from accounts.models import Municipality  # noqa: E402
from npo_portal.celery import app  # noqa: E402
from reporting import services  # noqa: E402
from reporting.models import AccountabilityReport, ReportBatch, ReportStatus  # noqa: E402
from reporting.rendering import ReportMeta, render_html  # noqa: E402
from reporting.selectors import report_data  # noqa: E402
from reporting.tasks import build_report  # noqa: E402


def start_workers(count: int, tag: str, pool: str) -> list[subprocess.Popen]:
    """`solo`: `count` worker processes, one report at a time each. `prefork`: one worker as
    docker-compose.yml starts it, `count` child processes, each replaced after a task that
    leaves it above --max-memory-per-child (CELERY_MAX_MEMORY_PER_CHILD KiB, 250000)."""
    workers = []
    if pool == "prefork":
        limit = os.environ.get("CELERY_MAX_MEMORY_PER_CHILD", "250000")
        options = [[f"--concurrency={count}", f"--max-memory-per-child={limit}"]]
    else:
        options = [["--pool=solo"]] * count
    for number, extra in enumerate(options):
        workers.append(
            subprocess.Popen(  # noqa: S603 - fixed arguments
                [
                    sys.executable, "-m", "celery", "-A", "npo_portal", "worker",
                    *extra, f"-Q{QUEUE}", f"--hostname=scale{tag}-{number}@%h",
                    "--loglevel=WARNING", "--without-gossip", "--without-mingle",
                ],
                cwd=ROOT,
                env={**os.environ, "CELERY_QUEUE": QUEUE},
            )
        )  # fmt: skip
    names = {f"scale{tag}-{number}" for number in range(len(options))}
    for _ in range(120):
        answered = {name.split("@")[0] for reply in app.control.ping(timeout=1) for name in reply}
        if names <= answered:
            return workers
    raise SystemExit("Workers did not start.")


def run(workers: int, year: int, limit: int, pool: str = "solo") -> dict:
    municipalities = Municipality.objects.existing_on(datetime.date(year, 12, 31)).order_by("code")[
        :limit
    ]
    processes = start_workers(workers, f"{workers}w{int(time.time())}", pool)
    sampled: dict[int, float] = {}
    try:
        with transaction.atomic():
            batch = ReportBatch.objects.create(year=year, created_by=None)
            ids = [
                services._new_report(
                    municipality=m, year=year, user=None, explanation="", batch=batch
                ).pk
                for m in municipalities
            ]
        started = time.perf_counter()
        group(build_report.s(pk) for pk in ids).apply_async(queue=QUEUE)
        pending = AccountabilityReport.objects.filter(
            batch=batch, status__in=[ReportStatus.QUEUED, ReportStatus.RUNNING]
        )
        while pending.exists():
            time.sleep(0.5)
            sample(processes, sampled)
        wall = time.perf_counter() - started
        sample(processes, sampled)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=60)
    reports = list(AccountabilityReport.objects.filter(batch=batch))
    durations = sorted(
        (r.finished_at - r.started_at).total_seconds()
        for r in reports
        if r.started_at and r.finished_at
    )
    return {
        "reports": len(reports),
        "failed": sum(1 for r in reports if r.status == ReportStatus.FAILED),
        "wall": wall,
        "median": statistics.median(durations),
        "p95": durations[int(len(durations) * 0.95)],
        "peak_rss_mb": max(sampled.values()) if sampled else 0.0,
        "processes": len(sampled),
    }


def sample(processes: list[subprocess.Popen], peaks: dict[int, float]) -> None:
    """Each worker process's and pool child's peak resident set so far (VmHWM, in MB, from
    /proc: the kernel's own high-water mark, not a sample); children replaced during the
    run are caught at their last look, every half second."""
    import psutil

    for process in processes:
        try:
            family = [psutil.Process(process.pid)]
            family += family[0].children(recursive=True)
        except psutil.NoSuchProcess:
            continue
        for member in family:
            try:
                status = Path(f"/proc/{member.pid}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    peaks[member.pid] = max(peaks.get(member.pid, 0.0), int(line.split()[1]) / 1024)


def bare(year: int, limit: int) -> None:
    """For the same municipalities, in this process, one after another: the report's data,
    its HTML, and the bare WeasyPrint render of that HTML (what a worker's report costs
    beyond WeasyPrint is the rest: data, template, spreadsheet, storing, bookkeeping)."""
    from django.conf import settings
    from django.utils import timezone
    from weasyprint import HTML

    from npo_portal.pdf import PDF_VARIANT

    municipalities = Municipality.objects.existing_on(datetime.date(year, 12, 31)).order_by("code")[
        :limit
    ]
    data_times, html_times, pdf_times = [], [], []
    for municipality in municipalities:
        started = time.perf_counter()
        data = report_data(municipality=municipality, year=year, final_accounting=False)
        data_times.append(time.perf_counter() - started)
        meta = ReportMeta(
            identifier=f"NPO-{municipality.code}-{year}", version="bench", date=timezone.localdate()
        )
        started = time.perf_counter()
        html = render_html(data, meta)
        html_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
            pdf_variant=PDF_VARIANT, uncompressed_pdf=False
        )
        pdf_times.append(time.perf_counter() - started)
    print()
    print("| Step, per report (sequential, one process) | Median s | p95 s | Total s |")
    print("|---|---:|---:|---:|")
    for label, times in (
        ("report_data (finance_totals + plan)", data_times),
        ("HTML template", html_times),
        ("bare WeasyPrint of that HTML", pdf_times),
    ):
        ordered = sorted(times)
        print(
            f"| {label} | {statistics.median(ordered):.3f} | "
            f"{ordered[int(len(ordered) * 0.95)]:.3f} | {sum(ordered):.1f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--year", type=int, default=2023)
    parser.add_argument("--municipalities", type=int, default=342)
    parser.add_argument(
        "--bare", action="store_true", help="Also time data, HTML and bare WeasyPrint per report."
    )
    parser.add_argument("--pool", choices=["solo", "prefork"], default="solo")
    args = parser.parse_args()
    print(
        "| Workers | Reports | Failed | Wall s | Reports/s | Median s | p95 s | Speed-up "
        "| Peak RSS MB (max of N processes) |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    first = None
    for count in args.workers:
        r = run(count, args.year, args.municipalities, args.pool)
        first = first or r["wall"]
        print(
            f"| {count} | {r['reports']} | {r['failed']} | {r['wall']:.1f} | "
            f"{r['reports'] / r['wall']:.2f} | {r['median']:.2f} | {r['p95']:.2f} | "
            f"{first / r['wall']:.2f}x | {r['peak_rss_mb']:.0f} ({r['processes']}) |",
            flush=True,
        )
    if args.bare:
        bare(args.year, args.municipalities)


if __name__ == "__main__":
    main()
