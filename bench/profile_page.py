"""Where one page's process CPU goes: cProfile with `time.process_time` as its clock.

    DJANGO_DEBUG=false DJANGO_SECRET_KEY=bench-only \
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/npo_speed_bench \
        python bench/profile_page.py "plan page" --code GM1701 --runs 15 [--cold] [--html out.html]

The page is one of `load.municipal_pages` (the profile_mix pages), requested through
Django's handler as `profile_mix.py` does (production settings, Redis cache CACHE_URL or db
14). After one warm-up request, --runs requests run under the profiler; `--cold` empties the
cache before each (the session is put back first, so only the page's own caches are cold).
Prints CPU ms per request (process + PostgreSQL backend, median, without the profiler, from
--runs extra requests), the query count, and the top functions by cumulative and own time.
`--html` writes the last response's HTML (to diff a change's output).
"""

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("CACHE_URL", "redis://127.0.0.1:6379/14")

import load  # noqa: E402  (sets up Django as load.py runs it)
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from profile_mix import cpu_ms  # noqa: E402

from accounts.models import Municipality, Role, User  # noqa: E402

ROLES = {"policy": Role.POLICY_OFFICER, "finance": Role.FINANCE_OFFICER}


def per_template(get, runs: int) -> None:
    """Process CPU ms per request spent rendering each template, its includes counted in."""
    from django.template import base

    spent: dict[str, float] = defaultdict(float)
    calls: dict[str, int] = defaultdict(int)
    render = base.Template._render

    def timed(self, context):
        started = time.process_time()
        try:
            return render(self, context)
        finally:
            spent[self.origin.template_name] += time.process_time() - started
            calls[self.origin.template_name] += 1

    base.Template._render = timed
    try:
        for _ in range(runs):
            get()
    finally:
        base.Template._render = render
    print("Template (inclusive process CPU ms per request, renders per request):")
    for name, seconds in sorted(spent.items(), key=lambda item: -item[1]):
        print(f"  {seconds * 1000 / runs:7.2f}  {calls[name] / runs:5.1f}x  {name}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("page", help='a page of load.municipal_pages, e.g. "plan page", "home"')
    parser.add_argument("--code", default="GM1701")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--cold", action="store_true")
    parser.add_argument("--role", choices=ROLES, help="whose view; default: the mix's officer")
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument("--html", help="write the last response's HTML here")
    parser.add_argument(
        "--templates", action="store_true", help="also: process CPU per template (inclusive)"
    )
    parser.add_argument("--sql", action="store_true", help="also print the queries of a request")
    parser.add_argument(
        "--only", help="a regular expression: list only functions whose file matches"
    )
    args = parser.parse_args()
    load.in_process_settings()
    municipality = Municipality.objects.get(code=args.code)
    pages = {name: (path, role) for name, path, role in load.municipal_pages(municipality)}
    path, role = pages[args.page]
    role = args.role or role
    user = (
        User.objects.filter(municipality=municipality, is_active=True, role=ROLES[role])
        .order_by("pk")
        .first()
    )
    client = Client()
    client.force_login(user)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]

    def get():
        if args.cold:
            cache.clear()
            client.force_login(user)
        response = client.get(path, secure=True)
        if response.status_code != 200:
            raise SystemExit(f"{args.page} {path}: HTTP {response.status_code}")
        return response

    get()
    if args.cold:
        cache.clear()
        client.force_login(user)
    captured = []

    def count(execute, sql, params, many, context):
        captured.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(path, secure=True)
    spent, own = [], []
    for _ in range(args.runs):
        if args.cold:
            cache.clear()
            client.force_login(user)
        before, process = cpu_ms(backend), time.process_time()
        response = client.get(path, secure=True)
        spent.append(cpu_ms(backend) - before)
        own.append((time.process_time() - process) * 1000)
    if args.sql:
        for number, sql in enumerate(captured, 1):
            print(f"{number:3}. {sql[:300]}")
    if args.templates:
        per_template(get, args.runs)
    profiler = cProfile.Profile(time.process_time)
    for _ in range(args.runs):
        if args.cold:
            cache.clear()
            client.force_login(user)
        profiler.enable()
        response = client.get(path, secure=True)
        profiler.disable()
    print(
        f"{args.page} {path} ({municipality}, {'cold' if args.cold else 'warm'}): "
        f"{statistics.median(spent):.1f} ms CPU per request (process + backend, median of "
        f"{args.runs}; the process alone {statistics.median(own):.1f}), {len(captured)} queries"
    )
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.total_tt /= args.runs
        stats.sort_stats(order)
        if args.only:
            stats.print_stats(args.only, args.top)
        else:
            stats.print_stats(args.top)
        print(out.getvalue())
    if args.html:
        Path(args.html).write_text(response.content.decode())


if __name__ == "__main__":
    main()
