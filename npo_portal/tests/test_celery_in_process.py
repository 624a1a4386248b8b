import logging

from celery import Celery

from npo_portal.celery import use_memory_transport_in_process


def test_a_task_run_in_process_does_not_warn_about_a_missing_broker_host(caplog):
    """`make run` has no broker: tasks run in-process, and kombu must not warn that it
    reverts to localhost (a first-time user reads that as a fault)."""
    app = Celery("in-process", set_as_current=False)
    app.conf.update(task_always_eager=True, broker_url=None)
    use_memory_transport_in_process(app)

    @app.task
    def add(a, b):
        return a + b

    with caplog.at_level(logging.WARNING, logger="kombu"):
        assert add.delay(2, 3).get() == 5
    assert not [r for r in caplog.records if r.name.startswith("kombu")]


def test_a_configured_broker_is_left_alone():
    app = Celery("with-broker", set_as_current=False)
    app.conf.update(task_always_eager=False, broker_url="redis://127.0.0.1:6379/0")
    use_memory_transport_in_process(app)
    assert app.conf.broker_url == "redis://127.0.0.1:6379/0"
