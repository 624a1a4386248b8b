"""`manage.py backup` and `manage.py restore`, proven by restoring into a fresh PostgreSQL
database and a fresh S3 bucket (moto's server) in another process: every stored report has
its SHA-256, the totals are the same, and the figures cache is empty."""

import datetime
import hashlib
import json
import os
import subprocess
import sys
import uuid
from decimal import Decimal
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import CommandError, call_command

from finance.factories import ExpenditureFactory
from finance.selectors import finance_totals
from insight.figures import cached_finance_totals, figures_key
from npo_portal.backup import MANIFEST
from plans.factories import goal
from reporting import services as reporting
from reporting.models import AccountabilityReport, ReportStatus
from reporting.tests.conftest import hand_made_data
from tests.world import build_world

BASE_DIR = Path(__file__).resolve().parent.parent
TODAY = datetime.date(2024, 3, 1)

pytestmark = pytest.mark.django_db(transaction=True)

# What the restored database is asked, in a process of its own: the totals of a sample of
# municipalities, as the totals function computes them.
TOTALS_SCRIPT = """
import datetime, json
from accounts.models import Municipality
from finance.selectors import finance_totals
out = {}
for code in ("GM0687", "GM0718"):
    t = finance_totals(municipality=Municipality.objects.get(code=code), today=datetime.date(2024, 3, 1))
    out[code] = [str(t.allocation), str(t.received), str(t.spent), str(t.ineligible), str(t.at_risk)]
print(json.dumps(out))
"""


def totals_of(code: str) -> list[str]:
    from accounts.models import Municipality

    totals = finance_totals(municipality=Municipality.objects.get(code=code), today=TODAY)
    return [
        str(value)
        for value in (totals.allocation, totals.received, totals.spent, totals.ineligible)
    ] + [str(totals.at_risk)]


def postgres_url(name: str) -> str:
    database = settings.DATABASES["default"]
    password = f":{database['PASSWORD']}" if database["PASSWORD"] else ""
    return (
        f"postgres://{database['USER']}{password}@{database['HOST'] or '127.0.0.1'}"
        f":{database['PORT'] or 5432}/{name}"
    )


def admin_connection():
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


@pytest.fixture
def fresh_database():
    """A new, empty PostgreSQL database beside the test database; dropped afterwards."""
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        if os.environ.get("CI"):
            pytest.fail("CI must run the restore test on PostgreSQL.")
        pytest.skip("Backup and restore need PostgreSQL (DATABASE_URL).")
    name = f"{settings.DATABASES['default']['NAME']}_restored"
    admin = admin_connection()
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture
def shared_cache(settings):
    """The cache in a Redis database that the restoring process shares with this one."""
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        if os.environ.get("CI"):
            pytest.fail("CI must run the restore test with Redis (REDIS_URL).")
        pytest.skip("The restore test needs Redis (REDIS_URL) for a shared cache.")
    url = settings.CELERY_BROKER_URL.rsplit("/", 1)[0] + "/14"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "npo",
        }
    }
    cache.clear()
    yield url
    cache.clear()


def test_a_backup_restores_into_a_fresh_database_and_bucket(
    reference_data, s3, fresh_database, shared_cache, tmp_path
):
    world = build_world()
    hand_made = hand_made_data(world.middelburg)
    ExpenditureFactory(
        municipality=world.vlissingen.municipality,
        date=datetime.date(2023, 5, 1),
        amount=Decimal("987.65"),
        goal=goal("bovenschools"),
    )
    for year in (2022, 2023):  # built at once: the task runs eagerly after the commit
        reporting.start_report(
            municipality=hand_made.municipality, year=year, user=hand_made.finance_officer
        )
    reports = {
        report.pk: report
        for report in AccountabilityReport.objects.filter(status=ReportStatus.DONE)
    }
    assert len(reports) == 2
    assert len(s3.names()) == 4
    before = {code: totals_of(code) for code in ("GM0687", "GM0718")}
    cached_finance_totals(municipality=hand_made.municipality, today=TODAY)
    figures = f"finance-totals:{figures_key(municipality=hand_made.municipality, on=TODAY)}"
    assert cache.get(figures) is not None

    backup_dir = tmp_path / "backup"
    call_command("backup", output=backup_dir)
    manifest = json.loads((backup_dir / MANIFEST).read_text())
    assert sorted(item["name"] for item in manifest["files"]) == s3.names()

    bucket = f"npo-restored-{uuid.uuid4().hex[:12]}"
    s3.client().create_bucket(Bucket=bucket)
    env = {
        **os.environ,
        **s3.env,
        "S3_BUCKET": bucket,
        "DATABASE_URL": postgres_url(fresh_database),
        "CACHE_URL": shared_cache,
        "MEDIA_ROOT": str(tmp_path / "restored-media"),
    }
    restored = subprocess.run(
        [sys.executable, "manage.py", "restore", str(backup_dir)],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert restored.returncode == 0, restored.stderr
    print(restored.stdout)

    assert cache.get(figures) is None  # change counts may repeat after a restore

    # Every stored report in the restored database, read from the restored bucket.
    connection = psycopg2.connect(postgres_url(fresh_database))
    with connection, connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, pdf, pdf_sha256, xlsx, xlsx_sha256 FROM reporting_accountabilityreport"
        )
        rows = cursor.fetchall()
    connection.close()
    assert sorted(row[0] for row in rows) == sorted(reports)
    for pk, pdf, pdf_sha256, xlsx, xlsx_sha256 in rows:
        assert (pdf_sha256, xlsx_sha256) == (reports[pk].pdf_sha256, reports[pk].xlsx_sha256)
        for name, sha256 in ((pdf, pdf_sha256), (xlsx, xlsx_sha256)):
            content = s3.client().get_object(Bucket=bucket, Key=name)["Body"].read()
            assert hashlib.sha256(content).hexdigest() == sha256

    totals = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", TOTALS_SCRIPT],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(totals.stdout) == before
    assert Path(env["MEDIA_ROOT"]).exists() is False


def test_restore_refuses_a_database_that_is_not_empty_and_a_damaged_backup(s3, tmp_path):
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("Backup and restore need PostgreSQL (DATABASE_URL).")
    backup_dir = tmp_path / "backup"
    call_command("backup", output=backup_dir)
    with pytest.raises(CommandError, match="database is not empty"):
        call_command("restore", backup_dir)
    with (backup_dir / "database.dump").open("ab") as dump:
        dump.write(b"x")
    with pytest.raises(CommandError, match="does not match its checksum"):
        call_command("restore", backup_dir)
