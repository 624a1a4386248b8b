"""Every kind of background job shares one set of statuses and one sweeper."""

import pytest
from django.apps import apps
from django.db import connection

from finance.models import ImportStatus
from npo_portal import jobs
from npo_portal.celery import app as celery_app
from npo_portal.jobs import JobStatus


def test_every_job_model_stores_the_shared_statuses_and_is_swept():
    assert set(jobs.MODELS) == set(jobs.KINDS)
    for kind, label in jobs.MODELS.items():
        model = apps.get_model(label)
        assert issubclass(model, jobs.Job) and model.job_kind == kind
        stored = {value for value, _label in model._meta.get_field("status").choices}
        assert set(JobStatus.values) <= stored
    assert [*ImportStatus.values] == [*JobStatus.values, "geweigerd"]
    assert ImportStatus.RUNNING == JobStatus.RUNNING == "bezig"


def test_the_job_statuses_read_in_dutch():
    assert [str(label) for label in JobStatus.labels] == [
        "In de wachtrij",
        "Bezig",
        "Klaar",
        "Mislukt",
    ]
    assert str(ImportStatus.REJECTED.label) == "Geweigerd, niets geïmporteerd"


@pytest.mark.django_db
def test_the_beat_task_sweeps_every_kind(world):
    from reporting.factories import AccountabilityReportFactory

    report = AccountabilityReportFactory(
        municipality=world.middelburg.municipality, status=JobStatus.RUNNING
    )
    ended = celery_app.tasks["npo_portal.fail_stuck_jobs"].apply().get()
    # Without PostgreSQL's advisory locks no one can tell a living worker's job from a stuck
    # one (`make run` on SQLite): nothing is ended on a guess.
    stuck = [report.pk] if connection.vendor == "postgresql" else []
    assert ended == {"report": stuck, "expenditure-import": [], "archive-package": []}
