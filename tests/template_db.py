"""One migrated PostgreSQL database per test run, copied for each pytest-xdist worker.

Without it every xdist worker runs all migrations (with their reference data) itself. Here
the controller process runs `manage.py migrate` once, into a template database, while the
workers start and collect; each worker then copies the template with `CREATE DATABASE …
TEMPLATE …` (about a second) the first time a test asks for the database, and drops its copy
at the end. The controller drops the template.

Only for PostgreSQL runs with xdist, migrations on and without --reuse-db; every other run
keeps pytest-django's own set-up.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings

BASE_DIR = Path(__file__).resolve().parent.parent
# How long a worker waits for the controller's migrations (a busy machine is slow).
WAIT_SECONDS = 20 * 60


def database_url(name: str) -> str:
    database = settings.DATABASES["default"]
    password = quote(database["PASSWORD"] or "")
    return (
        f"postgres://{quote(database['USER'])}:{password}@{database['HOST'] or '127.0.0.1'}"
        f":{database['PORT'] or 5432}/{name}"
    )


def applies(config: pytest.Config) -> bool:
    """True in an xdist controller (or worker) of a PostgreSQL run that creates its databases."""
    distributed = bool(getattr(config.option, "numprocesses", None)) and (
        getattr(config.option, "dist", "no") != "no"
    )
    return (
        (distributed or hasattr(config, "workerinput"))
        and settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
        and not config.getoption("reuse_db", False)
        and not config.getoption("nomigrations", False)
    )


def _admin_connection():
    """A connection to the server's maintenance database, outside Django's test blocker."""
    import psycopg2

    database = settings.DATABASES["default"]
    connection = psycopg2.connect(
        dbname="postgres",
        user=database["USER"],
        password=database["PASSWORD"] or None,
        host=database["HOST"] or "127.0.0.1",
        port=database["PORT"] or 5432,
    )
    connection.autocommit = True
    return connection


def _execute(statement: str) -> None:
    connection = _admin_connection()
    try:
        with connection.cursor() as cursor:
            cursor.execute(statement)
    finally:
        connection.close()


def template_name() -> str:
    return f"test_{settings.DATABASES['default']['NAME']}_template"


class TemplateBuilder:
    """The controller's side: create the template and migrate it in a child process."""

    def __init__(self) -> None:
        self.name = template_name()
        folder = Path(tempfile.mkdtemp(prefix="npo-template-"))
        self.status = folder / "status"
        self.log = folder / "migrate.log"
        self.process: subprocess.Popen | None = None
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        _execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        _execute(f'CREATE DATABASE "{self.name}"')
        env = {**os.environ, "DATABASE_URL": database_url(self.name)}
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                [sys.executable, "manage.py", "migrate", "--run-syncdb", "--noinput", "-v0"],
                cwd=BASE_DIR,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.thread = threading.Thread(target=self._report, daemon=True)
        self.thread.start()

    def _report(self) -> None:
        code = self.process.wait()
        partial = self.status.with_suffix(".partial")
        partial.write_text(str(code))
        partial.rename(self.status)

    def finish(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait()
        _execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def worker_input(builder: TemplateBuilder) -> dict[str, str]:
    return {
        "npo_template_db": builder.name,
        "npo_template_status": str(builder.status),
        "npo_template_log": str(builder.log),
    }


def wait_for_template(workerinput: dict) -> str:
    status = Path(workerinput["npo_template_status"])
    deadline = time.monotonic() + WAIT_SECONDS
    while not status.exists():
        if time.monotonic() > deadline:
            pytest.fail(f"The template database was not migrated within {WAIT_SECONDS} s.")
        time.sleep(0.5)
    if status.read_text().strip() != "0":
        log = Path(workerinput["npo_template_log"]).read_text()[-4000:]
        pytest.fail(f"Migrating the template database failed:\n{log}")
    return workerinput["npo_template_db"]


def clone(template: str) -> str:
    """Copy the template into this worker's test database; Django uses it from now on."""
    from django.db import connection

    target = connection.creation._get_test_db_name()
    for attempt in range(10):
        try:
            _execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
            _execute(f'CREATE DATABASE "{target}" TEMPLATE "{template}"')
            break
        except Exception as error:
            # Another session still on the template (the migrating child closing): retry.
            if "being accessed by other users" not in str(error) or attempt == 9:
                raise
            time.sleep(1)
    connection.close()
    settings.DATABASES["default"]["NAME"] = target
    connection.settings_dict["NAME"] = target
    return target


def drop(name: str) -> None:
    from django.db import connection

    connection.close()
    _execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
