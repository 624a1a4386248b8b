# The task signals' handlers (request id, metrics): connected once the app exists.
from . import task_signals  # noqa: F401
from .celery import app as celery_app

__all__ = ["celery_app"]
