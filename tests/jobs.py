"""Holding background jobs in a test, and releasing them when the test says so.

`npo_portal.queueing.enqueue` is where every job leaves for the broker. From
`hold_jobs(monkeypatch)` on (or inside `with holding_jobs()`), the jobs are taken there instead: the record that waits for its task is saved and receives a
task id as if the broker had taken it, so its page shows it waiting, and the test runs the
jobs in-process, through their real tasks, with `release()`."""

from __future__ import annotations

import contextlib
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from unittest import mock

from npo_portal import queueing


@dataclass(frozen=True)
class HeldJob:
    task_name: str
    args: tuple
    task_id: str


class HeldJobs:
    """The jobs sent while holding, in the order they were sent."""

    def __init__(self) -> None:
        self.jobs: list[HeldJob] = []
        self._lock = threading.Lock()  # a live server sends from its own thread

    def _send(self, task_name, calls, *, on_failure, on_queued) -> None:
        for args in calls:
            job = HeldJob(task_name, tuple(args), f"held-{uuid.uuid4()}")
            with self._lock:
                self.jobs.append(job)
            if on_queued:
                on_queued(args, job.task_id)

    @property
    def task_names(self) -> list[str]:
        with self._lock:
            return [job.task_name for job in self.jobs]

    def release(self) -> list[object]:
        """Run every held job through its task, here and now, in the order sent; a task's
        error is raised. Returns the tasks' results."""
        app = queueing._app()
        with self._lock:
            jobs, self.jobs = self.jobs, []
        results = []
        for job in jobs:
            if job.task_name not in app.tasks:
                app.loader.import_default_modules()
            task = app.tasks[job.task_name]
            results.append(task.apply(args=job.args, task_id=job.task_id).get())
        return results


def hold_jobs(monkeypatch) -> HeldJobs:
    """Hold every job sent from now until the end of the test (or until `release`)."""
    held = HeldJobs()
    monkeypatch.setattr(queueing, "_send", held._send)
    return held


@contextlib.contextmanager
def holding_jobs() -> Iterator[HeldJobs]:
    """Hold every job sent inside the block (for scripts that have no monkeypatch)."""
    held = HeldJobs()
    with mock.patch.object(queueing, "_send", held._send):
        yield held
