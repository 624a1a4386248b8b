"""Liveness of the portal's own services, for load balancers and container health checks."""

import logging

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from npo_portal.celery import app as celery_app

logger = logging.getLogger(__name__)


def database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.exception("Health check: database does not answer")
        return "error"
    return "ok"


def broker_state() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "in-process"
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception:
        logger.exception("Health check: broker does not answer")
        return "error"
    return "ok"


@never_cache
@require_GET
def health(request):
    """200 with the state of database and broker when both answer, 503 otherwise."""
    states = {"database": database_state(), "broker": broker_state()}
    healthy = all(state in {"ok", "in-process"} for state in states.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **states}, status=200 if healthy else 503
    )
