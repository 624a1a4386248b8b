"""Benchmark: server time and SQL query count of every main page, for one municipality.

Run against a PostgreSQL database with the national data set (generate_national_dataset) or
with the demo data (seed_demo); see bench/README.md for the exact commands:

    DJANGO_DEBUG=false DJANGO_SECRET_KEY=bench-only DJANGO_ALLOWED_HOSTS=testserver \
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/npo_scale_bench \
        python bench/pages.py --runs 7

The municipality is the one with the most expenditures unless --code is given. Time is the
median of --runs requests after one warm-up, through Django's test client (no network, no
static files); the query count comes from one extra request under CaptureQueriesContext.
"""

import argparse
import logging
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "npo_portal.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from accounts.models import Municipality, Role, User  # noqa: E402
from finance.models import Expenditure  # noqa: E402
from plans.models import Plan  # noqa: E402
from plans.permissions import EDITABLE  # noqa: E402
from reporting.models import ReportBatch  # noqa: E402
from schools.models import AnswerStatus, NeedsAnswer, NeedsRound, RoundStatus  # noqa: E402


def subjects(code: str | None):
    if code:
        municipality = Municipality.objects.get(code=code)
    else:
        top = (
            Expenditure.objects.values("municipality")
            .annotate(n=Count("pk"))
            .order_by("-n")
            .first()
        )
        municipality = Municipality.objects.get(pk=top["municipality"])
    users = User.objects.filter(municipality=municipality, is_active=True).order_by("pk")
    policy = users.filter(role=Role.POLICY_OFFICER).first()
    finance = users.filter(role=Role.FINANCE_OFFICER).first()
    board_user = (
        User.objects.filter(
            role=Role.SCHOOL_BOARD, school_board__schools__municipality=municipality
        )
        .order_by("pk")
        .first()
    )
    admin, _ = User.objects.get_or_create(
        username="bench-beheerder",
        defaults={"role": Role.FUNCTIONAL_ADMIN, "is_staff": True},
    )
    monitor, _ = User.objects.get_or_create(
        username="bench-monitor", defaults={"role": Role.MONITOR}
    )
    return municipality, policy, finance, board_user, admin, monitor


def pages(municipality, policy, finance, board_user, admin, monitor):
    plan = Plan.objects.filter(municipality=municipality).first()
    # The forms need a plan that may still be edited: the draft plan with most interventions.
    draft = (
        Plan.objects.filter(status__in=EDITABLE)
        .annotate(n=Count("interventions"))
        .order_by("-n", "pk")
        .first()
    )
    draft_user = (
        User.objects.filter(municipality=draft.municipality_id, role=Role.POLICY_OFFICER)
        .order_by("pk")
        .first()
        if draft
        else None
    )

    def editable(name: str, kind: str):
        if draft is None or draft_user is None:
            return None, None
        pk = draft.pk if kind == "plan" else draft.interventions.order_by("pk").first().pk
        return draft_user, reverse(name, kwargs={"pk": pk})

    needs_round = NeedsRound.objects.filter(municipality=municipality).order_by("-pk").first()
    answer = (
        NeedsAnswer.objects.filter(
            round__municipality=municipality,
            round__status=RoundStatus.OPEN,
            status=AnswerStatus.DRAFT,
            board__users__role=Role.SCHOOL_BOARD,
        )
        .order_by("pk")
        .first()
    )
    answer_user = (
        User.objects.filter(school_board=answer.board_id, role=Role.SCHOOL_BOARD).first()
        if answer
        else None
    )
    code = municipality.code
    batch = ReportBatch.objects.order_by("-pk").first()
    expenditures = Expenditure.objects.filter(municipality=municipality).order_by("-date", "-id")
    middle = expenditures[expenditures.count() // 2]
    goal = expenditures.first().goal.code
    fin = lambda name, **kw: reverse(f"finance:{name}", kwargs={"code": code, **kw})  # noqa: E731
    return [
        ("home (policy officer)", policy, reverse("home")),
        ("home (finance officer)", finance, reverse("home")),
        ("home (school board)", board_user, reverse("home")),
        ("home (functional admin)", admin, reverse("home")),
        ("municipality list (admin)", admin, reverse("municipality-list")),
        ("plan page", policy, reverse("plans:detail", kwargs={"pk": plan.pk})),
        ("intervention form (new)", *editable("plans:intervention-create", "plan")),
        ("intervention form (edit)", *editable("plans:intervention-edit", "intervention")),
        ("plan history", policy, reverse("plans:history", kwargs={"pk": plan.pk})),
        ("needs rounds", policy, reverse("schools:round-list")),
        ("round detail", policy, reverse("schools:round-detail", kwargs={"pk": needs_round.pk})),
        ("needs picture", policy, reverse("schools:picture", kwargs={"pk": needs_round.pk})),
        ("school list", policy, reverse("schools:school-list")),
        ("answer form (board)", answer_user, reverse("schools:answer-edit", kwargs={"pk": answer.round_id, "school_pk": answer.school_id}) if answer else None),
        ("finance dashboard", finance, fin("dashboard")),
        ("expenditures, first page", finance, fin("expenditure-list")),
        ("expenditures, middle page", finance, fin("expenditure-list") + f"?na={middle.date.isoformat()}_{middle.pk}"),
        ("expenditures, 2023 + one goal", finance, fin("expenditure-list") + f"?jaar=2023&doel={goal}"),
        ("expenditures, ineligible", finance, fin("expenditure-list") + "?subsidiabel=niet"),
        ("payments", finance, fin("payment-list")),
        ("finance history", finance, fin("history")),
        ("allocations (admin)", admin, reverse("finance:allocation-list")),
        ("reports (finance officer)", finance, reverse("reporting:report-list", args=[code])),
        ("report batches (admin)", admin, reverse("reporting:batch-list")),
        ("report batch detail (admin)", admin, reverse("reporting:batch-detail", args=[batch.pk]) if batch else None),
        ("golden thread", policy, reverse("insight:golden-thread", args=[code])),
        ("golden thread XLSX", policy, reverse("insight:golden-thread-xlsx", args=[code])),
        ("national monitor 2023 (monitor)", monitor, reverse("insight:monitor") + "?jaar=2023"),
        ("national monitor 2024 (admin)", admin, reverse("insight:monitor") + "?jaar=2024"),
        ("national monitor XLSX 2023", monitor, reverse("insight:monitor-xlsx") + "?jaar=2023"),
    ]  # fmt: skip


def measure(client: Client, url: str, runs: int) -> tuple[float, int, int]:
    response = client.get(url, secure=True)  # warm-up
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url, secure=True)
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        client.get(url, secure=True)
    return statistics.median(times), len(queries), response.status_code


COMPARED = [
    "finance dashboard",
    "payments",
    "expenditures, first page",
    "plan page",
    "needs picture",
    "round detail",
    "golden thread",
]
FINANCE_PAGES = ("finance dashboard", "payments", "expenditures, first page")


def _cpu_ms(backend_pid: int) -> tuple[float, float]:
    """CPU milliseconds used so far by this process and by its PostgreSQL backend (same host).
    The backend's comes from /proc/PID/schedstat, in nanoseconds: /proc/PID/stat counts 10 ms
    ticks, as coarse as a cold request's whole SQL."""
    own = time.process_time() * 1000
    backend = int(Path(f"/proc/{backend_pid}/schedstat").read_text().split()[0]) / 1e6
    return own, backend


def smallest_active():
    """The municipality with the fewest expenditures that still exists and has officers."""
    row = (
        Expenditure.objects.filter(
            municipality__valid_until__isnull=True,
            municipality__users__role=Role.FINANCE_OFFICER,
            municipality__needs_rounds__isnull=False,
        )
        .values("municipality")
        .annotate(n=Count("pk", distinct=True))
        .order_by("n", "municipality")
        .first()
    )
    return Municipality.objects.get(pk=row["municipality"]).code


def compare(runs: int, codes: list[str] | None, cold: bool = False) -> None:
    """The pages whose cost should not follow the books, largest against smallest
    municipality, their requests interleaved so that both see the same host load.
    `cold`: the cache (figures, pictures, summaries, sessions) is emptied before each
    measured request, as after a change of the books or a deploy."""
    from django.core.cache import cache

    largest = subjects(codes[0] if codes else None)
    smallest = subjects(codes[1] if codes else smallest_active())
    sides, client_user = [], {}
    for municipality, *people in (largest, smallest):
        n = Expenditure.objects.filter(municipality=municipality).count()
        urls = {name: (user, url) for name, user, url in pages(municipality, *people)}
        client = Client()
        client.force_login(urls["finance dashboard"][0])
        policy = Client()
        policy.force_login(urls["plan page"][0])
        client_user[id(client)] = urls["finance dashboard"][0]
        client_user[id(policy)] = urls["plan page"][0]
        sides.append((municipality, n, urls, {"finance": client, "policy": policy}))
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    print(
        " / ".join(f"{m} ({n:,} expenditures)" for m, n, _u, _c in sides),
        "cold" if cold else "warm",
    )
    print(
        "| Page | Largest ms | Smallest ms | Ratio | Largest CPU ms (Python + PostgreSQL) "
        "| Smallest CPU ms (Python + PostgreSQL) | CPU ratio | Queries |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for name in COMPARED:
        walls, pys, pgs, queries = ([], []), ([], []), ([], []), []
        for _m, _n, urls, clients in sides:
            _user, url = urls[name]
            client = clients["finance" if name in FINANCE_PAGES else "policy"]
            client.get(url, secure=True)  # warm-up
            if cold:
                cache.clear()
                client.force_login(client_user[id(client)])
            with CaptureQueriesContext(connection) as captured:
                status = client.get(url, secure=True).status_code
            if status != 200:
                raise SystemExit(f"{name} {url}: HTTP {status}")
            queries.append(len(captured))
        for _ in range(runs):
            for side, (_m, _n, urls, clients) in enumerate(sides):
                _user, url = urls[name]
                client = clients["finance" if name in FINANCE_PAGES else "policy"]
                if cold:
                    cache.clear()
                    # A session read from the cache is a request's first query: put it back.
                    client.force_login(client_user[id(client)])
                (py, pg), started = _cpu_ms(backend), time.perf_counter()
                client.get(url, secure=True)
                walls[side].append((time.perf_counter() - started) * 1000)
                py_after, pg_after = _cpu_ms(backend)
                pys[side].append(py_after - py)
                pgs[side].append(pg_after - pg)
        wall = [statistics.median(w) for w in walls]
        py = [statistics.median(c) for c in pys]
        pg = [statistics.median(c) for c in pgs]
        cpu = [
            statistics.median(map(sum, zip(*both, strict=True)))
            for both in zip(pys, pgs, strict=True)
        ]
        print(
            f"| {name} | {wall[0]:.0f} | {wall[1]:.0f} | {wall[0] / wall[1]:.2f}x "
            f"| {cpu[0]:.1f} ({py[0]:.1f} + {pg[0]:.1f}) | {cpu[1]:.1f} ({py[1]:.1f} + {pg[1]:.1f}) "
            f"| {cpu[0] / cpu[1]:.2f}x | {queries[0]} / {queries[1]} |",
            flush=True,
        )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--code", help="CBS code; default: the municipality with most expenditures")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--cold", action="store_true", help="with --compare: empty the cache before each request"
    )
    parser.add_argument(
        "--compare",
        nargs="*",
        metavar="CODE",
        help="largest against smallest municipality (or the two codes given) on the pages "
        "that should not grow with the books",
    )
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    # Without DEBUG the manifest storage wants collected static files; timings do not need them.
    # The bench logs in with force_login, without a second factor: the roles that need one
    # would be sent to the two-factor page (a real session adds one device query).
    override_settings(
        TWO_FACTOR_REQUIRED_ROLES=[],
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    ).enable()
    if args.compare is not None:
        compare(args.runs, args.compare, cold=args.cold)
        return
    municipality, *people = subjects(args.code)
    n = Expenditure.objects.filter(municipality=municipality).count()
    print(f"{municipality} with {n:,} expenditures; database total {Expenditure.objects.count():,}")
    print("| Page | Median ms | Queries | Status |\n|---|---:|---:|---:|")
    clients = {}
    for name, user, url in pages(municipality, *people):
        if url is None or user is None:
            continue
        if user.pk not in clients:
            clients[user.pk] = Client()
            clients[user.pk].force_login(user)
        ms, count, status = measure(clients[user.pk], url, args.runs)
        print(f"| {name} | {ms:.0f} | {count} | {status} |", flush=True)


if __name__ == "__main__":
    main()
