"""cProfile (process CPU as its clock) of the page mix's warm requests, per page or over all.

    DJANGO_DEBUG=false DJANGO_SECRET_KEY=bench-only \
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/npo_speed_bench \
        python bench/profile_pages.py --municipalities 10 [--page expenditures] [--rounds 2]

The same pages and municipalities as `profile_mix.py`. One warm-up round (not profiled), then
`--rounds` rounds under cProfile with `time.process_time` as its clock, so a process waiting
for a core on a loaded host costs nothing. Prints, per page, the queries of its last request
and their SQL with `--sql`; then the top functions by own and by cumulative process time.
`--page` profiles only the pages whose name starts with it. `--measure` profiles nothing:
it gives each page's mean CPU ms (process + PostgreSQL backend) and median process CPU ms
over `--rounds` warm rounds,
and the mix's mean, to compare two trees back to back with more samples than
`profile_mix.py`'s one warm round.
"""

import argparse
import cProfile
import os
import pstats
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
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--municipalities", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--page", default="")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--sql", action="store_true")
    parser.add_argument("--dump", help="write the pstats file here")
    parser.add_argument("--measure", action="store_true", help="CPU per page, no profiler")
    args = parser.parse_args()
    load.in_process_settings()
    redis.Redis.from_url(os.environ["CACHE_URL"]).flushdb()
    work = load.mix_requests(args.municipalities, args.page or "")
    queries: dict[str, list[str]] = {}
    for name, path, client in work:  # warm-up
        response = client.get(path, secure=True)
        if response.status_code != 200:
            raise SystemExit(f"{name} {path}: HTTP {response.status_code}")
    for name, path, client in work:
        with CaptureQueriesContext(connection) as captured:
            client.get(path, secure=True)
        queries[name] = [query["sql"] for query in captured.captured_queries]
    if args.measure:
        measure(work, args.rounds)
        return
    print("Queries per page (warm):")
    for name, sqls in queries.items():
        print(f"  {name}: {len(sqls)}")
        if args.sql:
            for sql in sqls:
                print(f"      {sql[:300]} ... {sql[-400:]}")
    profiler = cProfile.Profile(time.process_time)
    spent: dict[str, float] = defaultdict(float)
    for _ in range(args.rounds):
        for name, path, client in work:
            before = time.process_time()
            profiler.enable()
            client.get(path, secure=True)
            profiler.disable()
            spent[name] += time.process_time() - before
    requests = len(work) * args.rounds
    print(f"\n{requests} requests profiled, {sum(spent.values()) * 1000 / requests:.1f} ms each")
    stats = pstats.Stats(profiler)
    if args.dump:
        stats.dump_stats(args.dump)
    stats.sort_stats("tottime").print_stats(args.top)
    stats.sort_stats("cumulative").print_stats(args.top)


def measure(work, rounds: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]

    def cpu_ms() -> float:
        fields = Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()
        ticks = int(fields[11]) + int(fields[12])
        return time.process_time() * 1000 + ticks * 1000 / os.sysconf("SC_CLK_TCK")

    spent: dict[str, list[float]] = defaultdict(list)
    own: dict[str, list[float]] = defaultdict(list)
    started = cpu_ms()
    for _ in range(rounds):
        for name, path, client in work:
            before, before_own = cpu_ms(), time.process_time()
            client.get(path, secure=True)
            spent[name].append(cpu_ms() - before)
            own[name].append((time.process_time() - before_own) * 1000)
    mean = (cpu_ms() - started) / (rounds * len(work))
    print(f"{rounds} warm rounds of {len(work)} requests: {mean:.1f} ms CPU per request")
    # The backend's CPU comes in clock ticks (10 ms): per page its mean is the figure, not
    # its median. The process's own CPU is exact to the microsecond.
    print("| Page | mean ms (process + backend) | median ms (process) |\n|---|---:|---:|")
    for name, values in sorted(spent.items()):
        print(f"| {name} | {statistics.mean(values):.1f} | {statistics.median(own[name]):.1f} |")


if __name__ == "__main__":
    main()
