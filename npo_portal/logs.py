"""Log lines as JSON on stdout, times in UTC (ISO 8601), with the request id.

Every line of the web processes (Django, gunicorn's error and access logs) and of the
workers (Celery and the tasks) is one JSON object, so that a log collector needs no parsing
rules. A request gets an id (npo_portal.middleware.RequestIdMiddleware) that is sent along
with every task it enqueues (npo_portal.celery) and appears on the task's lines too.
"""

from __future__ import annotations

import contextvars
import datetime
import json
import logging
import re
import time
import uuid

# The id of the request (or of the task's originating request) this code runs for.
request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")

# What an id from outside may look like: proxies send UUIDs or hex strings. Anything else is
# replaced, so that a client cannot write into the logs.
REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9._:-]{1,128}")

# gunicorn's access-log atoms (gunicorn.glogging.Logger.atoms) and the fields they become.
ACCESS_FIELDS = {
    "h": "remote_addr",
    "m": "method",
    "U": "path",
    "q": "query",
    "s": "status",
    "B": "bytes",
    "a": "user_agent",
    "{x-request-id}o": "request_id",
}


def new_request_id() -> str:
    return uuid.uuid4().hex


def accepted_request_id(value: str | None) -> str | None:
    """The incoming id when it has a harmless form, else None."""
    if value and REQUEST_ID_PATTERN.fullmatch(value):
        return value
    return None


def utc_timestamp(created: float) -> str:
    moment = datetime.datetime.fromtimestamp(created, tz=datetime.UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _current_task():
    try:
        from celery import current_task
    except ImportError:  # pragma: no cover - celery is a dependency
        return None
    task = current_task
    return task if task and getattr(task.request, "id", None) else None


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time (UTC), level, logger, message, process, the request
    id, the task it runs in, gunicorn's access fields, and the exception if any."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": utc_timestamp(record.created),
            "level": record.levelname,
            "logger": record.name,
        }
        if record.name == "gunicorn.access" and isinstance(record.args, dict):
            atoms = record.args
            line["message"] = "request"
            for atom, field in ACCESS_FIELDS.items():
                value = atoms.get(atom)
                if value not in (None, "-", ""):
                    line[field] = value
            line["duration_ms"] = round(int(atoms.get("D") or 0) / 1000, 1)
        else:
            line["message"] = record.getMessage()
        line["process"] = record.process
        current = request_id.get() or getattr(record, "request_id", "")
        if current and "request_id" not in line:
            line["request_id"] = current
        task = _current_task()
        if task is not None:
            line["task_id"] = task.request.id
            line["task"] = task.name
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        elif record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class PlainFormatter(logging.Formatter):
    """The readable format for development (LOG_FORMAT=plain), in UTC as well."""

    converter = time.gmtime

    def __init__(self):
        super().__init__("%(asctime)sZ %(levelname)s %(name)s [%(request_id)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        record.request_id = request_id.get() or "-"
        return super().format(record)

    def formatTime(self, record, datefmt=None):
        return utc_timestamp(record.created).removesuffix("Z")
