"""The demo leaves Middelburg with a final report, so that its archive package holds one,
and with an archivist; the summary says what it did, and a second run changes nothing."""

import io
import zipfile

import pytest

from accounts.demo import seed_demo as seed_accounts
from accounts.models import Municipality, User
from archive.demo import seed_demo
from archive.models import PackageStatus
from archive.services import request_package
from finance.demo import seed_demo as seed_money
from reporting.demo import seed_demo as seed_report
from reporting.models import AccountabilityReport


@pytest.fixture
def demo(db, django_capture_on_commit_callbacks):
    seed_accounts()
    seed_money()
    with django_capture_on_commit_callbacks(execute=True):
        seed_report()  # in-process, as without a broker
    return Municipality.objects.get(code="GM0687")


def test_the_demo_makes_middelburgs_2022_report_final_once_and_says_so(demo):
    summary = seed_demo()
    report = AccountabilityReport.objects.get(municipality=demo, year=2022)
    assert report.is_final and report.finalised_by.username == "financien"
    assert f"rapport {report.identifier} definitief gemaakt" in summary
    assert "SiSa 2022 definitief zonder bevestiging" in summary  # said, not hidden
    assert User.objects.get(username="beleid").is_archivist
    again = seed_demo()
    assert f"rapport {report.identifier} was al definitief" in again
    assert AccountabilityReport.objects.filter(municipality=demo).count() == 1


def test_a_report_still_waiting_for_the_worker_is_left_and_the_summary_says_so(db):
    seed_accounts()
    seed_money()
    municipality = Municipality.objects.get(code="GM0687")
    AccountabilityReport.objects.create(municipality=municipality, year=2022, version=1)
    summary = seed_demo()
    assert "wacht nog op de worker" in summary
    assert not AccountabilityReport.objects.filter(is_final=True).exists()


def test_the_demos_archive_package_holds_the_final_report(demo, django_capture_on_commit_callbacks):
    seed_demo()
    with django_capture_on_commit_callbacks(execute=True):
        package = request_package(municipality=demo, user=User.objects.get(username="beheer"))
    package.refresh_from_db()
    assert package.status == PackageStatus.DONE, package.failure_reason
    with package.file.open("rb") as handle:
        names = zipfile.ZipFile(io.BytesIO(handle.read())).namelist()
    assert any(name.endswith("NPO-GM0687-2022-v1-pdfa.pdf") for name in names), names
