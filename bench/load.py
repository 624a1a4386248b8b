"""Load test with locust against gunicorn as docker-compose.yml runs it, on 127.0.0.1 only.

    DJANGO_DEBUG=false DJANGO_SECRET_KEY=bench-only \
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/npo_scale_bench \
        python bench/load.py dashboard --users 50 --duration 60
        python bench/load.py mix --users 200 --duration 120 --municipalities 40

`dashboard`: every user requests the largest municipality's finance dashboard again as soon
as it arrives (no think time). `mix`: each user is an officer of one of --municipalities
municipalities (the largest and the rest spread over the sizes) and opens one of 13 of its
pages every 2-5 s. It collects static files into a temporary folder, logs the officers in
(database sessions), starts gunicorn with the compose file's command (sync workers,
GUNICORN_WORKERS or 3, DATABASE_CONN_MAX_AGE 60, a Redis cache: CACHE_URL or db 13, emptied first) and runs locust headless for --duration
seconds (users started within the first 10 %), then stops both. It prints locust's figures
per page and the CPU seconds gunicorn and PostgreSQL used, per request, since the client
shares the machine's CPUs with them.
"""

import argparse
import csv
import http.client
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import redis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "npo_portal.settings")
os.environ.setdefault("STATIC_ROOT", tempfile.mkdtemp(prefix="npo-static-"))
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.urls import reverse  # noqa: E402

from accounts.models import Municipality, Role, User  # noqa: E402
from finance.models import Expenditure  # noqa: E402
from plans.models import Plan  # noqa: E402
from schools.models import NeedsRound  # noqa: E402


def session_cookie(user: User) -> str:
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def by_size() -> list[int]:
    """Existing municipalities with officers, most expenditures first."""
    return list(
        Expenditure.objects.filter(
            municipality__valid_until__isnull=True, municipality__users__role=Role.FINANCE_OFFICER
        )
        .values_list("municipality", flat=True)
        .annotate(n=Count("pk", distinct=True))
        .order_by("-n", "municipality")
    )


def officers(municipality: Municipality) -> dict[str, str]:
    users = User.objects.filter(municipality=municipality, is_active=True).order_by("pk")
    return {
        "finance": session_cookie(users.filter(role=Role.FINANCE_OFFICER).first()),
        "policy": session_cookie(users.filter(role=Role.POLICY_OFFICER).first()),
    }


def municipal_pages(municipality: Municipality) -> list[tuple[str, str, str]]:
    code = municipality.code
    plan = Plan.objects.filter(municipality=municipality).first()
    needs_round = NeedsRound.objects.filter(municipality=municipality).order_by("-pk").first()
    fin = lambda name: reverse(f"finance:{name}", kwargs={"code": code})  # noqa: E731
    pages = [
        ("home", reverse("home"), "policy"),
        ("finance dashboard", fin("dashboard"), "finance"),
        ("payments", fin("payment-list"), "finance"),
        ("expenditures", fin("expenditure-list"), "finance"),
        ("expenditures, ineligible", fin("expenditure-list") + "?subsidiabel=niet", "finance"),
        ("finance history", fin("history"), "finance"),
        ("reports", reverse("reporting:report-list", args=[code]), "finance"),
        ("needs rounds", reverse("schools:round-list"), "policy"),
        ("school list", reverse("schools:school-list"), "policy"),
    ]
    if plan:
        pages.append(("plan page", reverse("plans:detail", kwargs={"pk": plan.pk}), "policy"))
        pages.append(("plan history", reverse("plans:history", kwargs={"pk": plan.pk}), "policy"))
    if needs_round:
        kwargs = {"pk": needs_round.pk}
        pages.append(("round detail", reverse("schools:round-detail", kwargs=kwargs), "policy"))
        pages.append(("needs picture", reverse("schools:picture", kwargs=kwargs), "policy"))
    return pages


def in_process_settings() -> None:
    """The settings under which the in-process benches (profile_mix, profile_pages,
    profile_page) request pages through Django's handler: quiet logs, no second factor (they
    sign in with force_login), static files uncollected, any host."""
    logging.disable(logging.WARNING)
    override_settings(
        TWO_FACTOR_REQUIRED_ROLES=[],
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
        ALLOWED_HOSTS=["*"],
    ).enable()


def mix_requests(count: int, page: str = "") -> list[tuple[str, str, Client]]:
    """The page mix of `count` municipalities (the largest and the rest spread over the
    sizes): (page name, path, a client signed in as the officer who opens it), for the pages
    whose name starts with `page`."""
    ids = by_size()
    step = max(1, len(ids) // count)
    chosen = [ids[0], *ids[step::step]][:count]
    work = []
    for municipality in Municipality.objects.filter(pk__in=chosen):
        users = User.objects.filter(municipality=municipality, is_active=True).order_by("pk")
        clients = {}
        for role, value in (("finance", Role.FINANCE_OFFICER), ("policy", Role.POLICY_OFFICER)):
            clients[role] = Client()
            clients[role].force_login(users.filter(role=value).first())
        work += [
            (name, path, clients[role])
            for name, path, role in municipal_pages(municipality)
            if name.startswith(page)
        ]
    return work


def load_plan(scenario: str, count: int) -> dict:
    ids = by_size()
    largest = Municipality.objects.get(pk=ids[0])
    if scenario == "dashboard":
        return {
            "dashboard": {
                "path": reverse("finance:dashboard", kwargs={"code": largest.code}),
                "cookie": officers(largest)["finance"],
            }
        }
    step = max(1, len(ids) // count)
    chosen = [ids[0], *ids[step::step]][:count]
    return {
        "municipalities": [
            {"pages": municipal_pages(m), "cookies": officers(m)}
            for m in Municipality.objects.filter(pk__in=chosen)
        ]
    }


def wait_until_up(port: int) -> None:
    for _ in range(150):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/health/")
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def cpu_seconds(processes: dict) -> dict[int, float]:
    used = {}
    for pid, process in processes.items():
        try:
            times = process.cpu_times()
            used[pid] = times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return used


def server_processes(server: subprocess.Popen) -> dict:
    """gunicorn with its workers, and the PostgreSQL backends serving this database."""
    gunicorn = psutil.Process(server.pid)
    database = settings.DATABASES["default"]["NAME"]
    postgres = [
        p
        for p in psutil.process_iter(["name", "cmdline"])
        if p.info["name"] == "postgres" and f" {database} " in " ".join(p.info["cmdline"] or [])
    ]
    return {p.pid: p for p in [gunicorn, *gunicorn.children(recursive=True), *postgres]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("scenario", choices=["dashboard", "mix"])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--municipalities", type=int, default=40)
    parser.add_argument("--port", type=int, default=8190)
    args = parser.parse_args()

    call_command("collectstatic", interactive=False, verbosity=0)
    plan_file = Path(tempfile.mkstemp(prefix="npo-load-", suffix=".json")[1])
    plan_file.write_text(json.dumps(load_plan(args.scenario, args.municipalities)))
    workers = os.environ.get("GUNICORN_WORKERS", "3")
    cache_url = os.environ.get("CACHE_URL", "redis://127.0.0.1:6379/13")
    redis.Redis.from_url(cache_url).flushdb()
    env = {
        **os.environ,
        "DATABASE_CONN_MAX_AGE": os.environ.get("DATABASE_CONN_MAX_AGE", "60"),
        # The compose file gives the web processes a shared Redis cache (emptied here first,
        # so that the run starts without cached figures).
        "CACHE_URL": cache_url,
        # The sessions come from force_login, without a second factor; no role needs one here.
        "TWO_FACTOR_REQUIRED_ROLES": os.environ.get("TWO_FACTOR_REQUIRED_ROLES", "geen"),
    }
    bin_dir = Path(sys.executable).parent
    server = subprocess.Popen(  # noqa: S603 - fixed arguments
        [
            str(bin_dir / "gunicorn"),
            "npo_portal.wsgi:application",
            f"--bind=127.0.0.1:{args.port}",
            f"--workers={workers}",
            "--log-level=warning",
        ],
        cwd=ROOT,
        env=env,
    )
    out = Path(tempfile.mkdtemp(prefix="npo-locust-"))
    try:
        wait_until_up(args.port)
        cpu_before = cpu_seconds(server_processes(server))
        user_class = "DashboardOfficer" if args.scenario == "dashboard" else "MixedOfficer"
        subprocess.run(  # noqa: S603 - fixed arguments
            [
                str(bin_dir / "locust"),
                "-f",
                str(ROOT / "bench" / "locustfile.py"),
                user_class,
                "--headless",
                "--host",
                f"http://127.0.0.1:{args.port}",
                "--users",
                str(args.users),
                "--spawn-rate",
                str(max(1, args.users * 10 // args.duration)),
                "--run-time",
                f"{args.duration}s",
                "--stop-timeout",
                "10",
                "--csv",
                str(out / "run"),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            env={**os.environ, "NPO_LOAD_PLAN": str(plan_file)},
            check=False,
            stdout=subprocess.DEVNULL,
        )
        # Backends and workers started during the run count from zero.
        cpu_after = cpu_seconds(server_processes(server))
        cpu_used = sum(cpu - cpu_before.get(pid, 0.0) for pid, cpu in cpu_after.items())
    finally:
        server.terminate()
        server.wait(timeout=30)
        plan_file.unlink()
    rows = list(csv.DictReader((out / "run_stats.csv").open()))
    print(
        f"{args.scenario}: {args.users} users for {args.duration} s, gunicorn {workers} sync "
        f"workers, 127.0.0.1"
    )
    print("| Page | Requests | Failures | Requests/s | p50 ms | p95 ms | p99 ms |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print(
            f"| {row['Name']} | {row['Request Count']} | {row['Failure Count']} "
            f"| {float(row['Requests/s']):.1f} | {row['50%']} | {row['95%']} | {row['99%']} |"
        )
    total = next(row for row in rows if row["Name"] == "Aggregated")
    requests = int(total["Request Count"]) or 1
    print(
        f"server CPU (gunicorn + PostgreSQL): {cpu_used:.1f} s, "
        f"{cpu_used / requests * 1000:.0f} ms per request"
    )


if __name__ == "__main__":
    main()
