"""Fixtures every test may use: the two-municipality world and the Celery set-up.

Tasks run eagerly in unit tests. Tests marked `celery_worker` run them through a real worker
that this file starts against the configured broker and the test database.
"""

import os
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db.backends.postgresql.operations import DatabaseOperations

from npo_portal.celery import app as celery_app
from npo_portal.celery import queue_names
from tests import flush, template_db
from tests.reference_data import load_reference_data
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


# Fixtures that hold the test database for a whole file, for tests without a `django_db` mark.
MODULE_DATABASE_FIXTURES = ("demo_site",)


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
    if any(
        set(MODULE_DATABASE_FIXTURES) & set(item.fixturenames) for item in request.session.items
    ):
        aliases.add("default")
    workerinput = getattr(request.config, "workerinput", {})
    if "npo_template_db" in workerinput:
        template = template_db.wait_for_template(workerinput)
        with django_db_blocker.unblock():
            name = template_db.clone(template)
            flush.keep_migrated_rows(connection)
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
        flush.keep_migrated_rows(connection)
    yield
    if not django_db_keepdb:
        with django_db_blocker.unblock():
            teardown_databases(db_cfg, verbosity=request.config.option.verbose)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    flush.reload_after_flush(item)


@pytest.fixture
def reference_data(transactional_db):
    """The migrations' reference data (programme, goals, menukaart, payment schedule, SiSa
    years), loaded again after an earlier transactional test's flush emptied it. Request it
    before `world` in transactional tests.

    `serialized_rollback` cannot be relied on: once Playwright's event loop runs in the
    test's thread, asgiref hands Django other connections than the one that holds the
    contents serialized at set-up."""
    load_reference_data()


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
def _dutch_unless_asked():
    """Each test starts in Dutch: a request with another language cookie activates that
    language for the thread, and the next test in the same process would otherwise render in
    it (and more so in parallel runs, whose order differs)."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


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
def _flush_by_delete():
    """Transactional tests end with DELETE instead of TRUNCATE (tests/flush.py)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DatabaseOperations, "sql_flush", flush.sql_flush)
        yield


@pytest.fixture(scope="session", autouse=True)
def media_root(tmp_path_factory):
    """The files this test process (and its Celery worker) stores go to a folder of its own,
    not to the working tree's media/ that parallel test processes would share."""
    from django.test import override_settings

    folder = tmp_path_factory.mktemp("media")
    with override_settings(MEDIA_ROOT=folder):
        yield folder


WORKER_START_SECONDS = 180


def _start_worker(*, queue: str, extra_env: dict[str, str], stdout=None) -> subprocess.Popen:
    """A real `celery worker` process on the configured broker and the test database,
    listening on `queue` and its reports and imports queues; waits for its first ping."""
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

    env = {
        **os.environ,
        "DATABASE_URL": (
            f"postgres://{quote(database['USER'])}:{quote(database['PASSWORD'] or '')}@{database['HOST'] or '127.0.0.1'}"
            f":{database['PORT'] or 5432}/{database['NAME']}"
        ),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_RESULT_BACKEND": settings.CELERY_RESULT_BACKEND or settings.CELERY_BROKER_URL,
        "CELERY_QUEUE": queue,
        **extra_env,
    }
    default_queue = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = queue
    queues = ",".join(queue_names())
    celery_app.conf.task_default_queue = default_queue
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
            f"--queues={queues}",
            f"--hostname={queue}@%h",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=stdout,
    )
    replies = []
    # A worker starts in a few seconds; on a machine busy with parallel test processes (and
    # other work) it may take a minute or more.
    deadline = time.monotonic() + WORKER_START_SECONDS
    while time.monotonic() < deadline:
        replies = celery_app.control.ping(destination=None, timeout=1.0)
        if any(name.startswith(queue) for reply in replies for name in reply):
            return worker
        if worker.poll() is not None:
            pytest.fail(f"The Celery worker exited with code {worker.returncode}.")
    _stop(worker)
    pytest.fail(
        f"The Celery worker did not answer a ping within {WORKER_START_SECONDS} s: {replies}"
    )


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, tmp_path_factory, media_root):
    """A real `celery worker` process on the configured broker and the test database.

    Yields the folder the worker's e-mail backend writes to. Needs a broker and a database
    that a second process can open (PostgreSQL); skipped otherwise, except in CI.
    """
    queue = f"npo-test-{uuid.uuid4().hex[:12]}"
    mail_dir = tmp_path_factory.mktemp("worker-mail")
    worker = _start_worker(
        queue=queue,
        extra_env={
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(mail_dir),
            # Uploads wait for the import worker as files under MEDIA_ROOT.
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        },
    )
    celery_app.conf.task_default_queue = queue
    try:
        yield mail_dir
    finally:
        _stop(worker)
        _forget_task_metrics(queue)


# A real S3-protocol server ------------------------------------------------------------------


@pytest.fixture(scope="session")
def s3_server():
    """moto's S3 server on 127.0.0.1 and a free port, for the session; yields its URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                _stop(server)
                pytest.fail("moto's S3 server did not start.")
            time.sleep(0.1)  # a server process starting; nothing to wait on but its port
    try:
        yield url
    finally:
        _stop(server)


@dataclass
class S3:
    """One empty bucket on the S3 server, as the portal's default storage."""

    url: str
    bucket: str
    env: dict[str, str]

    def client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.url,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",  # noqa: S106 - moto accepts any key
        )

    def names(self) -> list[str]:
        listed = self.client().list_objects_v2(Bucket=self.bucket)
        return sorted(item["Key"] for item in listed.get("Contents", []))

    def read(self, name: str) -> bytes:
        return self.client().get_object(Bucket=self.bucket, Key=name)["Body"].read()


@pytest.fixture
def s3(s3_server, settings, tmp_path) -> S3:
    """The default storage on a fresh bucket of the S3 server, configured as an operator
    would (the same settings the environment variables give); MEDIA_ROOT points at an empty
    folder that must stay empty."""
    from npo_portal.settings import s3_storage

    bucket = f"npo-test-{uuid.uuid4().hex[:12]}"
    env = {
        "S3_BUCKET": bucket,
        "S3_ENDPOINT_URL": s3_server,
        "S3_REGION": "us-east-1",
        "S3_ACCESS_KEY_ID": "testing",
        "S3_SECRET_ACCESS_KEY": "testing",
        "S3_ADDRESSING_STYLE": "path",
    }
    store = S3(url=s3_server, bucket=bucket, env=env)
    store.client().create_bucket(Bucket=bucket)
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": s3_storage(
            bucket_name=bucket,
            endpoint_url=s3_server,
            region_name="us-east-1",
            access_key="testing",
            secret_key="testing",  # noqa: S106 - moto accepts any key
            addressing_style="path",
        ),
    }
    return store


@pytest.fixture
def celery_worker_s3(django_db_setup, s3, tmp_path):
    """A second real worker, its storage on the S3 bucket of `s3` and its MEDIA_ROOT an empty
    folder of its own; tasks go to it during the test. Yields that folder."""
    queue = f"npo-test-s3-{uuid.uuid4().hex[:12]}"
    worker_media = tmp_path / "worker-media"
    worker = _start_worker(queue=queue, extra_env={**s3.env, "MEDIA_ROOT": str(worker_media)})
    session_queue = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = queue
    try:
        yield worker_media
    finally:
        celery_app.conf.task_default_queue = session_queue
        _stop(worker)
        _forget_task_metrics(queue)


def _forget_task_metrics(queue: str) -> None:
    """The shared task counters a test worker left in Redis (npo_portal.metrics)."""
    import redis

    redis.Redis.from_url(settings.CELERY_BROKER_URL).delete(f"npo:metrics:tasks:{queue}")
