"""The request id and the metrics of each task, by Celery's signals.

The id of the request that enqueues a task travels in the task message's headers and is the
request id of the task's log lines (npo_portal.logs); each task's state and duration go to
the metrics (npo_portal.metrics). Connected when the `npo_portal` package loads, after its
Celery app (npo_portal.celery), which imports neither logs nor metrics.
"""

from __future__ import annotations

import time

from celery import signals

REQUEST_ID_HEADER = "npo_request_id"


_started: dict[str, tuple[float, object]] = {}


@signals.before_task_publish.connect
def _stamp_message(headers=None, **kwargs):
    # Imported when first needed, as before the split: loading the package (the settings,
    # gunicorn's configuration) must not load Django's HTTP machinery or prometheus_client.
    from npo_portal.logs import request_id

    if headers is None:
        return
    current = request_id.get()
    if current:
        headers[REQUEST_ID_HEADER] = current


@signals.task_prerun.connect
def _task_started(task_id=None, task=None, **kwargs):
    from npo_portal.logs import accepted_request_id, request_id

    incoming = getattr(task.request, REQUEST_ID_HEADER, None) or (task.request.headers or {}).get(
        REQUEST_ID_HEADER
    )
    # In-process (eager) tasks keep the id of the request they run in.
    token = None
    if not task.request.is_eager:
        token = request_id.set(accepted_request_id(incoming) or "")
    _started[task_id] = (time.perf_counter(), token)


@signals.task_postrun.connect
def _task_finished(task_id=None, task=None, state=None, **kwargs):
    from npo_portal.logs import request_id
    from npo_portal.metrics import record_task

    started, token = _started.pop(task_id, (None, None))
    if started is not None:
        record_task(
            task=task.name,
            state=state or "UNKNOWN",
            seconds=time.perf_counter() - started,
            eager=bool(task.request.is_eager),
        )
    if token is not None:
        try:
            request_id.reset(token)
        except ValueError:  # set in another context (a pool that switched threads)
            request_id.set("")
