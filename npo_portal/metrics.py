"""Prometheus metrics at /metrics: requests, database time, tasks, queues.

- Requests (count by view, method and status; latency and database time by view) are
  measured in each web process. Under gunicorn's several worker processes they are kept in
  prometheus_client's multiprocess files (PROMETHEUS_MULTIPROC_DIR, a folder of the
  container's own; gunicorn.conf.py sets and empties it), so that one scrape of a web
  container sums all its processes. Each web container is scraped on its own.
- Tasks run in worker containers, which serve no HTTP. Each task's outcome and duration are
  added, when it ends, to counters in the broker's Redis (hash `npo:metrics:tasks:<queue>`,
  one per installation, named by its default queue CELERY_QUEUE), and
  every web container reports those shared counters. They count the whole installation:
  sum them across web targets with max(), not sum(). Without a broker (tasks in-process)
  they are counted in the process's own metrics.
- Queue depth and the age of the oldest waiting task are read from the broker at each
  scrape (npo_portal.queues.queue_states, as /health/ shows them).

/metrics answers only a request carrying `Authorization: Bearer <METRICS_TOKEN>`; without
METRICS_TOKEN it does not exist (404).
"""

from __future__ import annotations

import hmac
import logging
import os
import time
from collections.abc import Iterator

from django.conf import settings
from django.db import connection
from django.http import Http404, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
)

logger = logging.getLogger(__name__)

# The classic text format, which every Prometheus version reads (two registries' outputs are
# joined, which OpenMetrics' single "# EOF" would not allow).
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
TASK_BUCKETS = (0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0)


def tasks_key() -> str:
    from npo_portal.celery import app

    return f"npo:metrics:tasks:{app.conf.task_default_queue}"


REQUESTS = Counter(
    "npo_http_requests",
    "Requests answered, by view, method and status code.",
    ["view", "method", "status"],
)
LATENCY = Histogram(
    "npo_http_request_duration_seconds",
    "Time from the request reaching Django to its response, by view.",
    ["view", "method"],
    buckets=LATENCY_BUCKETS,
)
DATABASE_TIME = Histogram(
    "npo_http_request_database_seconds",
    "Time a request spent in database queries, by view.",
    ["view"],
    buckets=LATENCY_BUCKETS,
)
# Only used when tasks run in the web process itself (no broker).
LOCAL_TASKS = Counter(
    "npo_local_celery_tasks", "Tasks run in this process, by task and state.", ["task", "state"]
)
LOCAL_TASK_TIME = Histogram(
    "npo_local_celery_task_duration_seconds",
    "Duration of tasks run in this process.",
    ["task"],
    buckets=TASK_BUCKETS,
)


class DatabaseTimer:
    """A connection.execute_wrapper that adds up the time of every query."""

    def __init__(self):
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - start


class MetricsMiddleware:
    """Counts each response and times it, with its database time, under the view's name
    (never the path: one label value per view, however many objects there are)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timer = DatabaseTimer()
        start = time.perf_counter()
        with connection.execute_wrapper(timer):
            response = self.get_response(request)
        elapsed = time.perf_counter() - start
        match = getattr(request, "resolver_match", None)
        view = match.view_name if match else "unresolved"
        if view == "metrics":
            return response
        method = request.method if request.method in KNOWN_METHODS else "other"
        REQUESTS.labels(view, method, str(response.status_code)).inc()
        LATENCY.labels(view, method).observe(elapsed)
        DATABASE_TIME.labels(view).observe(timer.seconds)
        return response


KNOWN_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


# Tasks ---------------------------------------------------------------------------------------


def _redis():
    """The broker's Redis client, or None when tasks run in-process or the broker is no Redis."""
    url = settings.CELERY_BROKER_URL
    if settings.CELERY_TASK_ALWAYS_EAGER or not url.startswith(("redis://", "rediss://")):
        return None
    if url not in _clients:
        import redis

        _clients[url] = redis.Redis.from_url(
            url, socket_connect_timeout=settings.CELERY_BROKER_CONNECTION_TIMEOUT, socket_timeout=2
        )
    return _clients[url]


_clients: dict = {}  # one connection pool per process (redis-py reconnects after a fork)


def record_task(*, task: str, state: str, seconds: float, eager: bool) -> None:
    """Add one finished task to the counters: the shared ones in Redis when it ran on a
    worker, this process's own when it ran in-process."""
    client = None if eager else _redis()
    if client is None:
        LOCAL_TASKS.labels(task, state).inc()
        LOCAL_TASK_TIME.labels(task).observe(seconds)
        return
    bucket = next((str(edge) for edge in TASK_BUCKETS if seconds <= edge), "+Inf")
    try:
        with client.pipeline(transaction=False) as pipe:
            pipe.hincrby(tasks_key(), f"count|{task}|{state}", 1)
            pipe.hincrby(tasks_key(), f"bucket|{task}|{bucket}", 1)
            pipe.hincrbyfloat(tasks_key(), f"sum|{task}", seconds)
            pipe.execute()
    except Exception:  # a metric is never worth failing a task
        logger.warning("Could not record task metrics for %s", task, exc_info=True)


class SharedTaskCollector:
    """The installation's task counters from Redis, as Prometheus counter and histogram."""

    def collect(self) -> Iterator:
        client = _redis()
        if client is None:
            return
        try:
            raw = client.hgetall(tasks_key())
        except Exception:
            logger.warning("Could not read task metrics from Redis", exc_info=True)
            return
        counts = CounterMetricFamily(
            "npo_celery_tasks", "Tasks finished, by task and state.", labels=["task", "state"]
        )
        buckets: dict[str, dict[str, int]] = {}
        sums: dict[str, float] = {}
        for key, value in sorted(raw.items()):
            kind, _sep, rest = key.decode().partition("|")
            if kind == "count":
                task, state = rest.rsplit("|", 1)
                counts.add_metric([task, state], int(value))
            elif kind == "bucket":
                task, edge = rest.rsplit("|", 1)
                buckets.setdefault(task, {})[edge] = int(value)
            elif kind == "sum":
                sums[rest] = float(value)
        yield counts
        durations = HistogramMetricFamily(
            "npo_celery_task_duration_seconds",
            "Duration of finished tasks, by task.",
            labels=["task"],
        )
        for task, per_edge in sorted(buckets.items()):
            cumulative, running = [], 0
            for edge in [*(str(edge) for edge in TASK_BUCKETS), "+Inf"]:
                running += per_edge.get(edge, 0)
                cumulative.append((edge, running))
            durations.add_metric([task], cumulative, sum_value=sums.get(task, 0.0))
        yield durations


class QueueCollector:
    """Tasks waiting per queue, and how long the oldest has waited (npo_portal.queues, the
    same figures as /health/)."""

    def collect(self) -> Iterator:
        from npo_portal.queues import queue_states

        try:
            states = queue_states()
        except Exception:  # the broker does not answer: /health/ says so; no figures here
            logger.warning("Could not read the queues from the broker", exc_info=True)
            return
        if states is None:
            return
        depth = GaugeMetricFamily(
            "npo_queue_depth",
            "Tasks waiting on the queue (not taken by a worker).",
            labels=["queue"],
        )
        age = GaugeMetricFamily(
            "npo_queue_oldest_age_seconds",
            "How long the oldest waiting task has waited (0 when none waits or it was not timed).",
            labels=["queue"],
        )
        for state in states:
            depth.add_metric([state.name], state.waiting)
            age.add_metric([state.name], state.oldest_waiting_seconds or 0.0)
        yield depth
        yield age


def scrape() -> bytes:
    """Every metric in Prometheus' text format."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        own = generate_latest(registry)
    else:
        own = generate_latest(REGISTRY)
    shared = CollectorRegistry(auto_describe=False)
    shared.register(SharedTaskCollector())
    shared.register(QueueCollector())
    return own + generate_latest(shared)


def _authorised(request) -> bool:
    expected = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    scheme, _sep, token = given.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        token.strip().encode(), expected.encode()
    )


@never_cache
@require_GET
def metrics(request):
    """The metrics, for a scraper that sends the bearer token METRICS_TOKEN."""
    if not settings.METRICS_TOKEN:
        raise Http404
    if not _authorised(request):
        response = HttpResponse("Unauthorized\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(scrape(), content_type=CONTENT_TYPE)
