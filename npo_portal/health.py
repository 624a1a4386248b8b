"""Health of the portal and its services, for load balancers and container orchestrators.

- /health/ (readiness): 200 when the database and the broker answer, 503 otherwise. A
  replica that cannot reach them gets no traffic, but is not restarted.
- /health/live/ (liveness): 200 whenever this process answers requests, without asking
  the database or the broker, so that an outage of PostgreSQL or Redis does not make the
  orchestrator restart every replica at once.
"""

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
    states = services_state()
    healthy = all(state in {"ok", "in-process"} for state in states.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **states}, status=200 if healthy else 503
    )


@never_cache
@require_GET
def live(request):
    """200 as long as this process serves requests; no service is asked."""
    return JsonResponse({"status": "ok"})


def services_state() -> dict[str, str]:
    """The database's and the broker's state, as /health/ reports them."""
    return {"database": database_state(), "broker": broker_state()}
