"""`python -m npo_portal.wait`, the containers' migrate step's first command: it returns once
the database and the broker answer, and gives up with a non-zero status when they do not."""

import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]


def wait(env: dict, timeout: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "npo_portal.wait", "--timeout", timeout],
        cwd=BASE_DIR,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_returns_at_once_when_the_services_answer():
    # SQLite in memory and tasks in-process always answer.
    result = wait(
        {"DATABASE_URL": "sqlite://:memory:", "REDIS_URL": "", "CELERY_BROKER_URL": ""}, "10"
    )
    assert result.returncode == 0, result.stderr
    assert "database and broker answer" in result.stdout


def test_gives_up_when_the_database_does_not_answer():
    # Nothing listens on port 1: a real refused connection.
    result = wait({"DATABASE_URL": "postgres://npo@127.0.0.1:1/npo", "REDIS_URL": ""}, "1")
    assert result.returncode == 1
    assert "gave up after 1 s" in result.stderr
    assert "'database': 'error'" in result.stderr
    # One line per try, not a traceback per try.
    assert "Traceback" not in result.stdout + result.stderr
