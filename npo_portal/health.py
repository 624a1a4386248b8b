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
from npo_portal.queues import queue_states

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


def queues_state() -> dict | None:
    """Per queue the jobs waiting and the age of the oldest (npo_portal.queues); None when
    that cannot be read."""
    try:
        states = queue_states()
    except Exception:
        logger.exception("Health check: the queues cannot be read")
        return None
    if states is None:
        return None
    return {state.name: state.as_dict() for state in states}


@never_cache
@require_GET
def health(request):
    """200 with the state of database and broker when both answer, 503 otherwise. With a
    broker, each queue's depth and oldest waiting job; a queue whose work waits longer than
    QUEUE_STALLED_SECONDS is "stalled" (no worker takes it), which does not make the web
    process unhealthy: a load balancer should keep sending it users, who are told."""
    states = services_state()
    healthy = all(state in {"ok", "in-process"} for state in states.values())
    body = {"status": "ok" if healthy else "error", **states}
    if states["broker"] == "ok":
        queues = queues_state()
        if queues is not None:
            body["queues"] = queues
            body["workers"] = (
                "stalled" if any(queue["stalled"] for queue in queues.values()) else "ok"
            )
    return JsonResponse(body, status=200 if healthy else 503)


@never_cache
@require_GET
def live(request):
    """200 as long as this process serves requests; no service is asked."""
    return JsonResponse({"status": "ok"})


def services_state() -> dict[str, str]:
    """The database's and the broker's state, as /health/ reports them."""
    return {"database": database_state(), "broker": broker_state()}
