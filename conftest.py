"""Fixtures every test may use: the two-municipality world and the Celery set-up.

Tasks run eagerly in unit tests. Tests marked `celery_worker` run them through a real worker
that this file starts against the configured broker and the test database.
"""

import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings

from npo_portal.celery import app as celery_app
from npo_portal.celery import queue_names
from tests import template_db
from tests.world import World, build_world

BASE_DIR = Path(__file__).resolve().parent

# Test databases are thrown away: their commits need not wait for the disk. libpq reads this
# in every connection of the tests, the template's migration and the Celery worker.
os.environ.setdefault("PGOPTIONS", "-c synchronous_commit=off")
TEMPLATE_BUILDER = pytest.StashKey[template_db.TemplateBuilder]()


def pytest_sessionstart(session):
    """xdist's controller migrates one template database while the workers start (see
    tests/template_db.py); each worker copies it instead of migrating again."""
    config = session.config
    if not hasattr(config, "workerinput") and template_db.applies(config):
        builder = template_db.TemplateBuilder()
        builder.start()
        config.stash[TEMPLATE_BUILDER] = builder


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    builder = node.config.stash.get(TEMPLATE_BUILDER, None)
    if builder is not None:
        node.workerinput.update(template_db.worker_input(builder))


def pytest_unconfigure(config):
    builder = config.stash.get(TEMPLATE_BUILDER, None)
    if builder is not None:
        builder.finish()


@pytest.fixture(scope="session")
def django_db_setup(
    request,
    django_test_environment,
    django_db_blocker,
    django_db_use_migrations,
    django_db_keepdb,
    django_db_createdb,
    django_db_modify_db_settings,
):
    """pytest-django's set-up, except in an xdist worker with a template database: copy the
    template (migrated once by the controller) instead of migrating again."""
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases
    from pytest_django.fixtures import _disable_migrations, _get_databases_for_setup

    aliases, serialized_aliases = _get_databases_for_setup(request.session.items)
    workerinput = getattr(request.config, "workerinput", {})
    if "npo_template_db" in workerinput:
        template = template_db.wait_for_template(workerinput)
        with django_db_blocker.unblock():
            name = template_db.clone(template)
            if serialized_aliases:
                connection._test_serialized_contents = connection.creation.serialize_db_to_string()
        yield
        with django_db_blocker.unblock():
            template_db.drop(name)
        return

    if not django_db_use_migrations:
        _disable_migrations()
    keepdb = django_db_keepdb and not django_db_createdb
    with django_db_blocker.unblock():
        db_cfg = setup_databases(
            verbosity=request.config.option.verbose,
            interactive=False,
            aliases=aliases,
            serialized_aliases=serialized_aliases,
            keepdb=keepdb,
        )
    yield
    if not django_db_keepdb:
        with django_db_blocker.unblock():
            teardown_databases(db_cfg, verbosity=request.config.option.verbose)


# What the data migrations load, with the model that is empty when it is missing (None: the
# migration's own load fills only what is missing).
REFERENCE_DATA = [
    ("accounts.migrations.0002_load_municipalities", None),
    ("plans.migrations.0003_reference_data", "plans.Programme"),
    ("plans.migrations.0008_final_accounting_window", None),
    ("finance.migrations.0002_payment_schedule", "finance.PaymentScheduleEntry"),
]


@pytest.fixture
def reference_data(transactional_db):
    """The migrations' reference data (programme, goals, menukaart, payment schedule, SiSa
    years), loaded again after an earlier transactional test's flush emptied it. Request it
    before `world` in transactional tests.

    `serialized_rollback` cannot be relied on: once Playwright's event loop runs in the
    test's thread, asgiref hands Django other connections than the one that holds the
    contents serialized at set-up."""
    from importlib import import_module

    from django.apps import apps

    for module, model in REFERENCE_DATA:
        if model is None or not apps.get_model(model).objects.exists():
            import_module(module).load(apps, None)
    if not apps.get_model("reporting.SisaYear").objects.exists():
        # 0002's years, brought to the shape 0005 asks.
        import_module("reporting.migrations.0002_sisa_defaults").load(apps, None)
        import_module("reporting.migrations.0005_sisa_as_asked_and_confirmation").to_asked(
            apps, None
        )


@pytest.fixture
def world(db) -> World:
    """Middelburg and Vlissingen, each with its own board and users, plus an administrator."""
    return build_world()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: figures cached by an earlier test must not be
    found under a key that a rolled-back database gives out again (SQLite reuses ids)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _second_factor_required_only_where_tested(request, settings):
    """Tests sign finance officers and administrators in with `force_login` or the password
    form alone; tests marked `two_factor` get the portal's rule that these roles need one."""
    if not request.node.get_closest_marker("two_factor"):
        settings.TWO_FACTOR_REQUIRED_ROLES = []


@pytest.fixture(autouse=True)
def _celery_eager_unless_real_worker(request):
    """Unit tests run tasks in-process; only `celery_worker` tests use the broker."""
    if request.node.get_closest_marker("celery_worker"):
        yield
        return
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashing():
    """Argon2 at the smallest cost (tests/hashers.py): the tests set and check hundreds of
    passwords, at about 0.25 CPU-s each with production's parameters."""
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=["tests.hashers.CheapArgon2PasswordHasher"]):
        yield


@pytest.fixture(scope="session", autouse=True)
def media_root(tmp_path_factory):
    """The files this test process (and its Celery worker) stores go to a folder of its own,
    not to the working tree's media/ that parallel test processes would share."""
    from django.test import override_settings

    folder = tmp_path_factory.mktemp("media")
    with override_settings(MEDIA_ROOT=folder):
        yield folder


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, tmp_path_factory, media_root):
    """A real `celery worker` process on the configured broker and the test database.

    Yields the folder the worker's e-mail backend writes to. Needs a broker and a database
    that a second process can open (PostgreSQL); skipped otherwise, except in CI.
    """
    database = settings.DATABASES["default"]
    missing = []
    if not settings.CELERY_BROKER_URL:
        missing.append("REDIS_URL or CELERY_BROKER_URL")
    if database["ENGINE"] != "django.db.backends.postgresql":
        missing.append("DATABASE_URL pointing at PostgreSQL")
    if missing:
        message = "A real Celery worker needs " + " and ".join(missing) + "."
        if os.environ.get("CI"):
            pytest.fail(message + " CI must run these tests.")
        pytest.skip(message)

    queue = f"npo-test-{uuid.uuid4().hex[:12]}"
    celery_app.conf.task_default_queue = queue
    mail_dir = tmp_path_factory.mktemp("worker-mail")
    env = {
        **os.environ,
        "DATABASE_URL": (
            f"postgres://{quote(database['USER'])}:{quote(database['PASSWORD'] or '')}@{database['HOST'] or '127.0.0.1'}"
            f":{database['PORT'] or 5432}/{database['NAME']}"
        ),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_RESULT_BACKEND": settings.CELERY_RESULT_BACKEND or settings.CELERY_BROKER_URL,
        "CELERY_QUEUE": queue,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        # Uploads wait for the import worker as files under MEDIA_ROOT.
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "npo_portal",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            # Every queue of the session: the default one and those of reports and imports.
            f"--queues={','.join(queue_names())}",
            f"--hostname={queue}@%h",
        ],
        cwd=BASE_DIR,
        env=env,
    )
    try:
        replies = []
        for _attempt in range(30):
            replies = celery_app.control.ping(destination=None, timeout=1.0)
            if any(name.startswith(queue) for reply in replies for name in reply):
                break
            if worker.poll() is not None:
                pytest.fail(f"The Celery worker exited with code {worker.returncode}.")
        else:
            pytest.fail(f"The Celery worker did not answer a ping within 30 s: {replies}")
        yield mail_dir
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
