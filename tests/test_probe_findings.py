"""What the independent probe found beside the hostile files, each fixed: NUL bytes in
addresses, deleting a charged intervention, the plan PDF's footer, lockouts behind the
proxy, a broker that is down, and the queues that keep reports and imports apart."""

import datetime
import time
from contextlib import contextmanager

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.factories import TEST_PASSWORD
from accounts.models import Role, User
from finance.factories import ExpenditureFactory
from finance.models import Expenditure, ExpenditureImport, ImportStatus
from finance.services import fail_stuck_imports
from finance.tasks import run_expenditure_import
from identity.models import AccountEvent
from npo_portal.celery import app as celery_app
from npo_portal.celery import fail_stuck_jobs, queue_names, route_task
from plans.factories import InterventionFactory, PlanFactory
from plans.models import Intervention
from reporting.models import AccountabilityReport, ReportStatus
from reporting.tasks import build_report
from reporting.tests.conftest import reload_sisa_defaults
from schools.factories import NeedsRoundFactory, SchoolFactory
from tests.hostile_files import GOOD_ROW, csv_file
from tests.pdftext import pdf_text

QUEUE_DOWN = "De wachtrij voor achtergrondtaken antwoordt niet"


# NUL bytes ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address", ["/gemeenten/?q=%00", "/plan/?doel=%00", "/financien/GM0687%00/"]
)
def test_a_nul_byte_in_an_address_is_a_bad_request_not_a_server_error(client, world, address):
    client.force_login(world.middelburg.finance_officer)
    assert client.get(address).status_code == 400


# Deleting an intervention that expenditures are charged to ----------------------------------


def test_an_intervention_with_expenditures_is_not_deleted_and_the_page_says_why(client, world):
    municipality = world.middelburg.municipality
    plan = PlanFactory(municipality=municipality)
    intervention = InterventionFactory(plan=plan, code="I-07")
    ExpenditureFactory(municipality=municipality, intervention=intervention, goal=intervention.goal)
    client.force_login(world.middelburg.policy_officer)
    response = client.post(
        reverse("plans:intervention-delete", kwargs={"pk": intervention.pk}), follow=True
    )
    assert response.status_code == 200
    assert (
        "Interventie I-07 kan niet worden verwijderd: er zijn 1 uitgave(n) op geboekt"
        in response.content.decode()
    )
    assert Intervention.objects.filter(pk=intervention.pk).exists()
    assert Expenditure.objects.get().intervention == intervention


# The plan PDF's footer ----------------------------------------------------------------------


def test_the_plan_pdf_footer_prints_the_title_as_written(client, world):
    plan = PlanFactory(
        municipality=world.vlissingen.municipality,
        title="NPO-plan Vlissingen 2021-2023 & 'Samen' \"sterk\" </style>",
    )
    client.force_login(world.vlissingen.policy_officer)
    response = client.get(reverse("plans:pdf", kwargs={"pk": plan.pk}))
    text = pdf_text(
        b"".join(response.streaming_content) if response.streaming else response.content
    )
    # A draft's footer also says CONCEPT, so a long title may wrap between words.
    assert "NPO-plan Vlissingen 2021-2023 & 'Samen' \"sterk\" </style>" in " ".join(text.split())
    assert "u002D" not in text and "u0026" not in text


# Lockout behind the proxy -------------------------------------------------------------------


def attempt(client, username, password, *, forwarded_for):
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR="10.0.0.2",  # the proxy, the same for everyone
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


def test_behind_the_proxy_a_lockout_is_keyed_on_the_real_client(client, world, settings):
    settings.PORTAL_TRUSTED_PROXIES = 1
    username = world.middelburg.finance_officer.username
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, username, "fout", forwarded_for="198.51.100.7")
    assert attempt(client, username, TEST_PASSWORD, forwarded_for="198.51.100.7").status_code == 429
    # The same user, from another address behind the same proxy, is not locked out...
    other = attempt(client, username, TEST_PASSWORD, forwarded_for="203.0.113.20")
    assert other.status_code == 302
    # ... and an attacker cannot pick a fresh address by writing one in front: the proxy
    # appends the address it saw, and only that entry counts.
    client.logout()
    spoofed = attempt(client, username, TEST_PASSWORD, forwarded_for="192.0.2.1, 198.51.100.7")
    assert spoofed.status_code == 429


def test_without_a_trusted_proxy_the_forwarded_header_is_ignored(client, world, settings):
    settings.PORTAL_TRUSTED_PROXIES = 0
    username = world.middelburg.finance_officer.username
    for number in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, username, "fout", forwarded_for=f"198.51.100.{number}")
    assert attempt(client, username, TEST_PASSWORD, forwarded_for="203.0.113.9").status_code == 429


# Queues -------------------------------------------------------------------------------------


def test_reports_and_imports_wait_on_queues_of_their_own():
    default = celery_app.conf.task_default_queue
    assert route_task(build_report.name, (), {}, {}) == {"queue": f"{default}-reports"}
    assert route_task(run_expenditure_import.name, (), {}, {}) == {"queue": f"{default}-imports"}
    assert route_task(fail_stuck_jobs.name, (), {}, {}) is None
    assert queue_names() == [default, f"{default}-reports", f"{default}-imports"]
    assert celery_app.conf.task_acks_late and celery_app.conf.task_reject_on_worker_lost
    assert celery_app.conf.task_soft_time_limit < celery_app.conf.task_time_limit


def test_a_stuck_import_is_marked_failed_by_the_beat_task_and_its_page_says_so(
    client, world, settings
):
    settings.EXPENDITURE_IMPORT_TIMEOUT_MINUTES = 30
    municipality = world.middelburg.municipality
    stuck, recent = (
        ExpenditureImport.objects.create(
            municipality=municipality, file_name=name, size=1, sha256="0" * 64
        )
        for name in ("oud.csv", "nieuw.csv")
    )
    ExpenditureImport.objects.filter(pk=stuck.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=31)
    )
    assert settings.CELERY_BEAT_SCHEDULE["fail-stuck-jobs"]["task"] == fail_stuck_jobs.name
    assert fail_stuck_jobs.delay().get()["expenditure-import"] == [stuck.pk]
    stuck.refresh_from_db()
    recent.refresh_from_db()
    assert (stuck.status, stuck.upload.name) == (ImportStatus.FAILED, "")
    assert recent.status == ImportStatus.QUEUED
    assert fail_stuck_imports() == []  # a second run changes nothing
    client.force_login(world.middelburg.finance_officer)
    page = client.get(
        reverse("finance:import-detail", kwargs={"code": municipality.code, "pk": stuck.pk})
    ).content.decode()
    assert "Automatisch als mislukt gemarkeerd op" in page
    assert "geen resultaat na 30 minuten" in page


# A broker that is down ----------------------------------------------------------------------


@contextmanager
def broker_down(settings):
    """Celery pointed at a port where nothing listens, as with a wrong REDIS_URL."""
    conf = celery_app.conf
    before = (conf.task_always_eager, conf.broker_url)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    conf.task_always_eager = False
    conf.broker_url = "redis://127.0.0.1:9/0"
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    try:
        yield
    finally:
        conf.task_always_eager, conf.broker_url = before
        celery_app._pool = None
        celery_app.amqp._producer_pool = None


@pytest.fixture
def sisa_defaults(transactional_db):
    """The reporting years the migrations load: an earlier transactional test's flush empties
    them, and without a year to choose the report form is refused (200) before any queue."""
    reload_sisa_defaults()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data", "sisa_defaults")
def test_with_the_broker_down_a_report_ends_failed_and_the_page_says_so(client, world, settings):
    client.force_login(world.middelburg.finance_officer)
    page = reverse("reporting:report-list", kwargs={"code": "GM0687"})
    with broker_down(settings):
        started = time.monotonic()
        response = client.post(page, {"year": 2022}, HTTP_REFERER=f"http://testserver{page}")
        elapsed = time.monotonic() - started
        assert response.status_code == 302
        shown = client.get(response["Location"]).content.decode()
        health = client.get("/health/")
    assert QUEUE_DOWN in shown
    report = AccountabilityReport.objects.get()
    assert report.status == ReportStatus.FAILED  # not "in de wachtrij" with no task behind it
    assert QUEUE_DOWN in report.failure_reason
    assert elapsed < 10
    assert health.status_code == 503
    assert health.json()["broker"] == "error"


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
def test_with_the_broker_down_an_upload_ends_failed_and_keeps_no_file(client, world, settings):
    client.force_login(world.middelburg.finance_officer)
    page = reverse("finance:import", kwargs={"code": "GM0687"})
    upload = SimpleUploadedFile("uitgaven.csv", csv_file(GOOD_ROW))
    with broker_down(settings):
        response = client.post(page, {"file": upload}, follow=True)
    assert QUEUE_DOWN in response.content.decode()
    job = ExpenditureImport.objects.get()
    assert (job.status, job.upload.name) == (ImportStatus.FAILED, "")
    assert job.messages[0].startswith(QUEUE_DOWN)
    assert not Expenditure.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
def test_with_the_broker_down_reminders_say_so_instead_of_a_server_error(client, world, settings):
    municipality = world.middelburg.municipality
    SchoolFactory(board=world.middelburg.board, municipality=municipality)
    needs_round = NeedsRoundFactory(municipality=municipality)
    client.force_login(world.middelburg.policy_officer)
    back = reverse("schools:non-reporters", args=[needs_round.pk])
    with broker_down(settings):
        response = client.post(
            reverse("schools:send-reminders", args=[needs_round.pk]),
            HTTP_REFERER=f"http://testserver{back}",
        )
    assert response.status_code == 302
    assert response["Location"].endswith(back)
    assert QUEUE_DOWN in client.get(back).content.decode()


def test_with_the_broker_down_an_invitation_saves_no_colleague_and_says_so(client, world, settings):
    """A key user invites a colleague while the broker is down: no account without an
    invitation is left behind, no audit event claims one was sent, and the page says why."""
    key_user = world.middelburg.policy_officer
    User.objects.filter(pk=key_user.pk).update(is_key_user=True)
    client.force_login(key_user)
    page = reverse("identity:invite")
    with broker_down(settings):
        started = time.monotonic()
        response = client.post(
            page,
            {
                "first_name": "Nieuwe",
                "last_name": "Collega",
                "email": "nieuw@middelburg.nl",
                "role": Role.FINANCE_OFFICER,
            },
            HTTP_REFERER=f"http://testserver{page}",
        )
        elapsed = time.monotonic() - started
    assert response.status_code == 302
    assert response["Location"].endswith(page)
    assert QUEUE_DOWN in client.get(page).content.decode()
    assert not User.objects.filter(email="nieuw@middelburg.nl").exists()
    assert not AccountEvent.objects.filter(action=AccountEvent.Action.INVITED).exists()
    assert elapsed < 10


def test_with_the_broker_down_the_admin_queues_no_invitation_and_says_so(
    client, world, settings, django_capture_on_commit_callbacks
):
    client.force_login(world.functional_admin)
    page = reverse("admin:accounts_user_changelist")
    invitees = [world.vlissingen.finance_officer, world.middelburg.finance_officer]
    with broker_down(settings), django_capture_on_commit_callbacks(execute=True) as queued:
        response = client.post(
            page,
            {"action": "send_invitations", "_selected_action": [user.pk for user in invitees]},
            HTTP_REFERER=f"http://testserver{page}",
        )
    assert response.status_code == 302
    assert queued == []  # not one invitation was handed to the broker
    assert QUEUE_DOWN in client.get(page).content.decode()
    assert not User.objects.filter(pk__in=[u.pk for u in invitees], invited_at__isnull=False)
