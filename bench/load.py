"""Load test: 50 concurrent users against gunicorn on loopback, one page at a time.

No load tool (wrk, ab, hey, locust) is installed and the project adds no dependency, so this
is a small thread-based client: each simulated user keeps requesting the page (no think time)
with its own HTTP connection. Run against the national data set:

    DJANGO_DEBUG=false DJANGO_SECRET_KEY=bench-only \
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/npo_scale_bench \
        python bench/load.py --users 50 --duration 60 --workers 5

It collects the static files into a temporary folder, starts gunicorn on 127.0.0.1, logs in
(server-side sessions) the finance and policy officers of the municipality with the most
expenditures and reports requests/s, p50/p95/p99 latency and errors per page.
"""

import argparse
import http.client
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

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
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from finance.models import Expenditure  # noqa: E402
from plans.models import Plan  # noqa: E402


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def session_cookie(user: User) -> str:
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def hammer(port: int, path: str, cookie: str, users: int, duration: float) -> dict:
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.perf_counter() + duration
    headers = {"Cookie": cookie, "X-Forwarded-Proto": "https", "Host": "127.0.0.1"}

    def user() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, failed = [], []
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    failed.append(str(response.status))
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
            except (OSError, http.client.HTTPException) as exc:
                failed.append(type(exc).__name__)
                connection.close()
            mine.append((time.perf_counter() - started) * 1000)
        with lock:
            latencies.extend(mine)
            errors.extend(failed)

    started = time.perf_counter()
    threads = [threading.Thread(target=user) for _ in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(latencies),
        "p95": percentile(latencies, 0.95),
        "p99": percentile(latencies, 0.99),
        "errors": len(errors),
        "error_kinds": sorted(set(errors)),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--workers", type=int, default=5)
    parser.add_argument("--port", type=int, default=8190)
    args = parser.parse_args()

    call_command("collectstatic", interactive=False, verbosity=0)
    top = (
        Expenditure.objects.values("municipality")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()["municipality"]
    )
    people = User.objects.filter(municipality=top).order_by("pk")
    finance = people.filter(role=Role.FINANCE_OFFICER).first()
    policy = people.filter(role=Role.POLICY_OFFICER).first()
    plan = Plan.objects.get(municipality=top)
    targets = [
        ("finance dashboard", reverse("finance:dashboard", args=[finance.municipality.code]), finance),
        ("plan page", reverse("plans:detail", args=[plan.pk]), policy),
    ]  # fmt: skip

    env = {**os.environ, "DATABASE_CONN_MAX_AGE": "60"}
    server = subprocess.Popen(  # noqa: S603 - fixed arguments
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "npo_portal.wsgi",
            f"--bind=127.0.0.1:{args.port}",
            f"--workers={args.workers}",
            "--log-level=warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(100):
            try:
                connection = http.client.HTTPConnection("127.0.0.1", args.port, timeout=2)
                connection.request("GET", "/health/")
                connection.getresponse().read()
                break
            except OSError:
                time.sleep(0.2)
        print(
            f"gunicorn, {args.workers} sync workers; {args.users} users for {args.duration:.0f} s"
        )
        print("| Page | Requests | Requests/s | p50 ms | p95 ms | p99 ms | Errors |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for name, path, user in targets:
            cookie = session_cookie(user)
            hammer(args.port, path, cookie, users=5, duration=3)  # warm-up
            r = hammer(args.port, path, cookie, users=args.users, duration=args.duration)
            print(
                f"| {name} | {r['requests']} | {r['rps']:.1f} | {r['p50']:.0f} | {r['p95']:.0f} "
                f"| {r['p99']:.0f} | {r['errors']} {' '.join(r['error_kinds'])} |",
                flush=True,
            )
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
