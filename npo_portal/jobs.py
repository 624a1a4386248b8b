"""Whether a background job is really being worked on: the worker holds a PostgreSQL
advisory lock on the job for as long as its task runs.

A worker that dies (SIGKILL, out of memory, a machine that goes away) loses its database
connection, and PostgreSQL releases its locks with it. So a job marked "running" whose lock
nobody holds was left by a dead worker, and can be ended at once, by the beat sweepers and
by every worker that starts; no timeout has to guess how long a job may take.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from django.db import DatabaseError, connection

# The first key of the two-key advisory lock: one number per kind of job.
KINDS = {"report": 29_001, "expenditure-import": 29_002}


def _postgresql() -> bool:
    return connection.vendor == "postgresql"


@contextlib.contextmanager
def working_on(kind: str, job_id: int) -> Iterator[None]:
    """Hold the job's lock while the block runs (a second delivery of the same job waits
    for the first to end)."""
    if not _postgresql():
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", [KINDS[kind], job_id])
    try:
        yield
    finally:
        # A connection that broke took the lock with it.
        with contextlib.suppress(DatabaseError), connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [KINDS[kind], job_id])


def worked_on(kind: str) -> set[int] | None:
    """The ids of the jobs of `kind` that a living worker holds now; None where that
    cannot be known (not PostgreSQL), so that nothing is ended on a guess."""
    if not _postgresql():
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT objid FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND classid = %s AND objsubid = 2"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            [KINDS[kind]],
        )
        return {int(objid) for (objid,) in cursor.fetchall()}
