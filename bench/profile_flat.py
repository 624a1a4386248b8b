"""Where a page's CPU goes, largest against smallest municipality (issue 32, "every page flat").

    DJANGO_DEBUG=false DJANGO_SECRET_KEY=bench-only DJANGO_ALLOWED_HOSTS=testserver \
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/npo_speed_bench \
        python bench/profile_flat.py --compare GM1701 GM0310 --page "round detail" --runs 20 [--cold]

The pages and users of `pages.py`. Each page is requested `--runs` times per municipality
under cProfile with the process CPU clock (after one unprofiled warm-up); `--cold` empties
the cache before each request as `pages.py --cold` does. Prints per municipality the CPU ms
per request and how much of it is spent under a few groups of functions (templates, the
ORM building model instances, the database driver, translations), then the functions with
most own time.
"""

import argparse
import cProfile
import logging
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pages
from django.conf import settings
from django.core.cache import cache
from django.test import Client, override_settings

GROUPS = {
    "templates (render)": ("django/template/base.py", "render"),
    "SQL (driver execute)": ("psycopg", "execute"),
    "ORM: model instances": ("django/db/models/base.py", "from_db"),
    "ORM: compiling SQL": ("django/db/models/sql/compiler.py", "as_sql"),
    "translations": ("django/utils/translation/trans_real.py", "gettext"),
    "cache (get)": ("django/core/cache", "get"),
}


def grouped(stats: pstats.Stats) -> dict[str, float]:
    """Cumulative seconds of the outermost call of each group (not double counted)."""
    out = {}
    for name, (path, function) in GROUPS.items():
        best = 0.0
        for (file, _line, func), (_cc, _nc, _tt, ct, _callers) in stats.stats.items():
            if path in file and func == function:
                best = max(best, ct)
        out[name] = best
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--compare", nargs=2, metavar="CODE", required=True)
    parser.add_argument("--page", action="append", required=True)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--cold", action="store_true")
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--sort", default="tottime", help="pstats order, e.g. cumulative")
    parser.add_argument(
        "--only", help="a regular expression: list only functions whose file matches"
    )
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    override_settings(
        TWO_FACTOR_REQUIRED_ROLES=[],
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    ).enable()
    for page in args.page:
        for code in args.compare:
            people = pages.subjects(code)
            urls = {name: (user, url) for name, user, url in pages.pages(*people)}
            user, url = urls[page]
            client = Client()
            client.force_login(user)
            client.get(url, secure=True)
            profiler = cProfile.Profile(time.process_time)
            started = time.process_time()
            for _ in range(args.runs):
                if args.cold:
                    cache.clear()
                    client.force_login(user)
                profiler.enable()
                status = client.get(url, secure=True).status_code
                profiler.disable()
                if status != 200:
                    raise SystemExit(f"{page} {url}: HTTP {status}")
            stats = pstats.Stats(profiler)
            total = stats.total_tt / args.runs * 1000
            print(
                f"\n## {page}, {code} ({'cold' if args.cold else 'warm'}): {total:.1f} ms "
                f"process CPU per request under the profiler ({time.process_time() - started:.1f} s in all)"
            )
            for name, seconds in grouped(stats).items():
                print(f"  {name}: {seconds / args.runs * 1000:.1f} ms")
            stats.sort_stats(args.sort)
            if args.only:
                stats.print_stats(args.only, args.top)
            else:
                stats.print_stats(args.top)


if __name__ == "__main__":
    main()
