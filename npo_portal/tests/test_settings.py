import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

BASE_DIR = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "k3Y-" + "x9" * 30,
    "DJANGO_ALLOWED_HOSTS": "npo.gemeente.example",
    # Production shares the API's throttle counts between processes (api.W001 otherwise).
    "CACHE_URL": "redis://127.0.0.1:6379/1",
}


# What the settings read; each test starts from an environment without them.
PORTAL_VARIABLES = ("DJANGO_", "DATABASE_URL", "REDIS_URL", "CACHE_URL", "CELERY_", "EMAIL_")


def run_manage(*args, env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(PORTAL_VARIABLES)}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deploy_check(tmp_path):
    # What collectstatic leaves (the image runs it); its absence is the next test.
    (tmp_path / "staticfiles.json").write_text('{"paths": {}, "version": "1.1"}')
    env = {**PRODUCTION, "STATIC_ROOT": str(tmp_path)}
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_the_deploy_check_says_to_run_collectstatic_when_it_did_not(tmp_path):
    env = {**PRODUCTION, "STATIC_ROOT": str(tmp_path)}
    result = run_manage("check", "--deploy", env=env)
    assert result.returncode == 1
    assert "npo_portal.E001" in result.stderr
    assert "python manage.py collectstatic --noinput" in result.stderr


def test_production_settings_require_a_secret_key():
    env = {key: value for key, value in PRODUCTION.items() if key != "DJANGO_SECRET_KEY"}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is required" in result.stderr


def test_embedded_defaults_are_sqlite_and_in_process_tasks():
    code = (
        "from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.EMAIL_BACKEND, s.DEBUG)"
    )
    result = run_manage("shell", "--no-imports", "-c", code, env={})
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "True",
        "django.core.mail.backends.console.EmailBackend",
        "True",
    ], result.stderr


def test_database_url_and_redis_url_switch_to_real_services():
    code = "from django.conf import settings as s; print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER)"
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        code,
        env={
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/npo",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
        },
    )
    assert result.stdout.split() == ["django.db.backends.postgresql", "False"], result.stderr


def test_production_keeps_its_compiled_templates_in_memory():
    """Issue 32: production parses each template once per process (Django's cached loader,
    its default when TEMPLATES names no loaders), not on every render."""
    code = (
        "from django.template import engines; "
        "print(*[type(loader).__module__ for loader in engines['django'].engine.template_loaders])"
    )
    result = run_manage("shell", "--no-imports", "-c", code, env=PRODUCTION)
    assert result.stdout.split() == ["django.template.loaders.cached"], result.stderr


def test_dutch_is_the_default_language():
    assert settings.LANGUAGE_CODE == "nl"
    assert [code for code, _name in settings.LANGUAGES] == ["nl", "en"]


def test_models_and_migrations_agree(db):
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_postgresql_connections_run_without_jit_compilation_or_parallel_workers():
    env = {**PRODUCTION, "DATABASE_URL": "postgres://npo@db.example:5432/npo?sslmode=require"}
    result = run_manage(
        "shell", "-c", "from django.conf import settings; print(settings.DATABASES)", env=env
    )
    assert result.returncode == 0, result.stderr
    assert "'options': '-c jit=off -c max_parallel_workers_per_gather=0'" in result.stdout
    assert "'sslmode': 'require'" in result.stdout


def test_a_query_of_the_portal_starts_no_parallel_workers(db):
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL setting")
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert cursor.fetchone() == ("0",)
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)
