"""gunicorn's settings for the portal, read from the working folder (gunicorn reads
./gunicorn.conf.py by default; the command line still wins).

- Logs: the error and access logs as JSON lines on stdout in UTC, like the portal's own
  (npo_portal.logs; LOG_FORMAT=plain for readable lines). The access line carries the
  request id the portal answered in X-Request-ID.
- Metrics: the worker processes keep their request metrics in PROMETHEUS_MULTIPROC_DIR, a
  folder of this container's own, emptied at start; /metrics sums them
  (npo_portal.metrics).
"""

import os
import shutil
import tempfile
from pathlib import Path

_formatter = (
    "npo_portal.logs.PlainFormatter"
    if os.environ.get("LOG_FORMAT") == "plain"
    else ("npo_portal.logs.JsonFormatter")
)
_handler = {"class": "logging.StreamHandler", "formatter": "portal", "stream": "ext://sys.stdout"}
_level = os.environ.get("LOG_LEVEL", "INFO")

logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"portal": {"()": _formatter}},
    "handlers": {"console": _handler},
    "root": {"level": _level, "handlers": ["console"]},
    "loggers": {
        "gunicorn.error": {"level": _level, "handlers": ["console"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["console"], "propagate": False},
    },
}

# Set before the workers import the portal: prometheus_client picks its storage at import.
_metrics_dir = Path(
    os.environ.setdefault(
        "PROMETHEUS_MULTIPROC_DIR", str(Path(tempfile.gettempdir()) / "npo-metrics")
    )
)


def on_starting(server):
    """Metrics of an earlier run of this container are not this run's."""
    shutil.rmtree(_metrics_dir, ignore_errors=True)
    _metrics_dir.mkdir(parents=True, exist_ok=True)


def child_exit(server, worker):
    """A worker that ended leaves its counters; its live gauges go."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
