"""Where the server's CPU goes on the load test's page mix, profiled in one process.

    DJANGO_DEBUG=false DJANGO_SECRET_KEY=bench-only \
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/npo_scale_bench \
        python bench/profile_mix.py --municipalities 40 --rounds 3

The same pages and municipalities as `load.py mix` (13 pages each, the largest municipality
and the rest spread over the sizes), each requested through Django's WSGI handler (test
client: every middleware, database sessions, no network) with the production settings and a
Redis cache (CACHE_URL or db 14, emptied first). Round 1 is cold (nothing cached), the later
rounds warm, as most of a load run is. For each: CPU milliseconds per request, of this
process and its PostgreSQL backend. Rounds 3 and later run under pyinstrument (sampling every
millisecond), whose samples are sorted into what the issue asks about: SQL, templates, forms,
translations, each middleware, sessions and users; then the slowest pages and the top
functions by own time.
"""

import argparse
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("CACHE_URL", "redis://127.0.0.1:6379/14")

import load  # noqa: E402  (sets up Django as load.py runs it)
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from pyinstrument import Profiler  # noqa: E402

# Sorted by the innermost frame of a sample that matches (SQL run by a template counts as SQL).
CATEGORIES = [
    ("SQL (driver and ORM)", ("django/db/", "psycopg2")),
    ("translations", ("django/utils/translation",)),
    ("forms and fields", ("django/forms/", "crispy_forms", "crispy_bootstrap5")),
    ("templates", ("django/template/", "django/templatetags/", "templatetags/")),
    ("middleware: axes", ("/axes/",)),
    ("middleware: CSP", ("/csp/",)),
    ("middleware: OTP / second factor", ("django_otp", "identity/middleware")),
    ("middleware: auditing", ("auditing/middleware",)),
    ("middleware: history", ("simple_history",)),
    ("sessions and users", ("django/contrib/sessions", "django/contrib/auth")),
    ("cache (Redis)", ("django/core/cache", "/redis/")),
    ("URL resolving", ("django/urls/",)),
    ("request/response handling", ("django/core/handlers", "django/http/", "django/middleware")),
]


def category(path: str) -> str | None:
    for name, needles in CATEGORIES:
        if any(needle in path for needle in needles):
            return name
    return None


def sort_samples(frame, inherited: str, totals: dict, own: dict) -> None:
    here = category(frame.file_path or "") or inherited
    totals[here] += frame.total_self_time
    if frame.total_self_time:
        own[(frame.function, frame.file_path_short, frame.line_no)] += frame.total_self_time
    for child in frame.children:
        sort_samples(child, here, totals, own)


def backend_cpu_ms(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def cpu_ms(pid: int) -> float:
    return time.process_time() * 1000 + backend_cpu_ms(pid)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--municipalities", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--html", help="also write pyinstrument's HTML report here")
    args = parser.parse_args()
    load.in_process_settings()
    redis.Redis.from_url(os.environ["CACHE_URL"]).flushdb()
    work = load.mix_requests(args.municipalities)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    print(
        f"up to {args.municipalities} municipalities, {len(work)} pages a round, {settings.CACHES['default']['BACKEND']}"
    )

    per_page: dict[str, list[float]] = defaultdict(list)
    profiler = Profiler(interval=0.001)
    for number in range(1, args.rounds + 1):
        warm, profiled = number > 1, number > 2
        if profiled:
            profiler.start()
        started = cpu_ms(backend)
        for name, path, client in work:
            before = cpu_ms(backend)
            response = client.get(path, secure=True)
            if response.status_code != 200:
                raise SystemExit(f"{name} {path}: HTTP {response.status_code}")
            if warm and not profiled:
                per_page[name].append(cpu_ms(backend) - before)
        if profiled:
            profiler.stop()
        used = cpu_ms(backend) - started
        print(
            f"round {number} ({'warm' if warm else 'cold'}{', profiled' if profiled else ''}): "
            f"{used / len(work):.1f} ms CPU per request (process + PostgreSQL backend)"
        )

    totals: dict[str, float] = defaultdict(float)
    own: dict[tuple, float] = defaultdict(float)
    session = profiler.last_session
    if session is None:
        return  # fewer than three rounds: none was profiled
    sort_samples(session.root_frame(), "other Python", totals, own)
    sampled = sum(totals.values()) or 1
    print("\nWhere the profiled rounds' process time goes (pyinstrument samples, innermost match):")
    print("| Part | Share |\n|---|---:|")
    for name, seconds in sorted(totals.items(), key=lambda item: -item[1]):
        print(f"| {name} | {seconds / sampled:.0%} |")
    print("\nPages, warm, median CPU ms (process + backend):")
    print("| Page | ms |\n|---|---:|")
    for name, values in sorted(per_page.items(), key=lambda item: -statistics.median(item[1])):
        print(f"| {name} | {statistics.median(values):.1f} |")
    print(f"\nTop {args.top} functions by own time:")
    for (function, path, line), seconds in sorted(own.items(), key=lambda item: -item[1])[
        : args.top
    ]:
        print(f"{seconds / sampled:6.1%}  {function}  {path}:{line}")
    if args.html:
        Path(args.html).write_text(profiler.output_html())


if __name__ == "__main__":
    main()
