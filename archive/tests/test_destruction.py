import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from accounts.factories import UserFactory
from accounts.models import Municipality, SplitPlace, User
from archive import destruction
from archive.anonymise import anonymise_departed_users
from archive.models import DestructionList, DestructionStatus, RecordGroup
from archive.tasks import propose_destruction_lists
from archive.tests.conftest import build_dossier
from finance.models import Expenditure, ExpenditureImport, Payment
from insight.selectors import monitor_years, national_monitor
from plans.models import Allocation, Intervention, InterventionBudget, Plan
from schools.models import NeedsAnswer, NeedsRound
from settlement.closed import is_closed
from settlement.factories import ClosureFactory, SettlementFactory

SETTLED = datetime.date(2027, 11, 19)
# The default rules: ten years from the settlement decision.
RETENTION_ENDS = datetime.date(2037, 11, 19)


@pytest.fixture
def small_register(db):
    """The register of two municipalities: the national monitor computes every
    municipality's figures once, which for the whole register costs minutes in a test."""
    SplitPlace.objects.all().delete()
    others = Municipality.objects.exclude(code__in=["GM0687", "GM0718"])
    others.update(successor=None)
    others.delete()


@pytest.fixture
def settled(small_register, world, dossier):
    """Middelburg's dossier with its settlement recorded and its programme closed."""
    settlement = SettlementFactory(
        municipality=dossier.municipality, decided_on=SETTLED, sent_on=SETTLED
    )
    ClosureFactory(settlement=settlement, closed_by=world.functional_admin)
    return dossier


@pytest.fixture
def archivist(world):
    return UserFactory(
        username="mdb-archivaris",
        municipality=world.middelburg.municipality,
        is_archivist=True,
        first_name="Anna",
        last_name="Archivaris",
    )


def monitor_figures():
    """Everything the national monitor shows that a destruction could move."""
    figures = {}
    for year in monitor_years():
        monitor = national_monitor(year=year)
        groups = [monitor.total, *monitor.provinces, *monitor.size_classes]
        figures[year] = (
            [
                (
                    g.name,
                    g.count,
                    g.allocation,
                    g.received,
                    g.spent_year,
                    g.spent_cumulative,
                    g.at_risk,
                )
                for g in groups
            ],
            [
                (
                    r.municipality.code,
                    r.size_class,
                    r.allocation,
                    r.received,
                    r.spent_year,
                    r.spent_cumulative,
                    r.at_risk,
                    r.plan_status,
                    r.report_status,
                    r.response_rate,
                )
                for r in monitor.rows
                if r.municipality.code in ("GM0687", "GM0718")
            ],
            monitor.months,
        )
    return figures


def test_nothing_is_proposed_before_the_retention_ends(settled):
    day_before = RETENTION_ENDS - datetime.timedelta(days=1)
    assert destruction.propose_lists(today=day_before) == []


def test_nothing_is_proposed_without_a_settlement(dossier):
    assert destruction.propose_lists(today=datetime.date(2060, 1, 1)) == []


def test_the_list_proposes_the_groups_to_destroy_and_keeps_those_kept_permanently(settled):
    [proposed] = destruction.propose_lists(today=RETENTION_ENDS)
    groups = {item.record_group: item for item in proposed.items.all()}
    assert set(groups) == {
        RecordGroup.NEEDS,
        RecordGroup.INTERVENTIONS,
        RecordGroup.BUDGETS,
        RecordGroup.EXPENDITURES,
        RecordGroup.PAYMENTS,
        RecordGroup.ALLOCATIONS,
    }
    assert groups[RecordGroup.EXPENDITURES].records == 2
    assert groups[RecordGroup.EXPENDITURES].action_date == RETENTION_ENDS
    # One open list at a time.
    assert destruction.propose_lists(today=RETENTION_ENDS) == []


def test_two_different_people_approve_the_administrator_and_the_archivist(
    world, settled, archivist
):
    [proposed] = destruction.propose_lists(today=RETENTION_ENDS)
    with pytest.raises(ValidationError):
        destruction.approve(destruction_list=proposed, user=world.middelburg.policy_officer)
    destruction.approve(destruction_list=proposed, user=world.functional_admin)
    with pytest.raises(ValidationError):
        destruction.approve(destruction_list=proposed, user=world.functional_admin)
    proposed.refresh_from_db()
    assert proposed.status == DestructionStatus.PROPOSED
    assert Expenditure.objects.filter(municipality=settled.municipality).count() == 2
    vlissingen_archivist = UserFactory(
        municipality=world.vlissingen.municipality, is_archivist=True
    )
    with pytest.raises(ValidationError):
        destruction.approve(destruction_list=proposed, user=vlissingen_archivist)
    approved = destruction.approve(destruction_list=proposed, user=archivist)
    assert approved.status == DestructionStatus.APPROVED
    assert approved.admin_approved_by != approved.archivist_approved_by


def test_a_destruction_run_keeps_the_statistics_removes_the_records_and_personal_data_and_keeps_the_log(
    world, settled, archivist, django_capture_on_commit_callbacks
):
    vlissingen = build_dossier(world.vlissingen)
    municipality = settled.municipality
    upload = ExpenditureImport.objects.create(
        municipality=municipality, file_name="uitgaven.csv", size=10, sha256="0" * 64
    )
    upload.upload.save("uitgaven.csv", ContentFile(b"datum;bedrag\n"))
    storage, upload_name = upload.upload.storage, upload.upload.name
    left = world.middelburg.finance_officer
    left.is_active = False
    left.save()
    User.objects.filter(pk=left.pk).update(
        deactivated_at=timezone.now() - datetime.timedelta(days=400)
    )
    before = monitor_figures()

    [proposed] = destruction.propose_lists(today=RETENTION_ENDS)
    destruction.approve(destruction_list=proposed, user=world.functional_admin)
    with django_capture_on_commit_callbacks(execute=True):
        destruction.approve(destruction_list=proposed, user=archivist)
    assert anonymise_departed_users() == 1

    # The statistics are the same.
    assert monitor_figures() == before
    # The records and their files are gone, with their audit trail; Vlissingen's stay.
    for model, lookup in [
        (Expenditure, "municipality"),
        (Payment, "municipality"),
        (Allocation, "municipality"),
        (NeedsRound, "municipality"),
        (NeedsAnswer, "round__municipality"),
        (Intervention, "plan__municipality"),
        (InterventionBudget, "intervention__plan__municipality"),
    ]:
        assert not model.objects.filter(**{lookup: municipality}).exists(), model
        assert model.objects.filter(**{lookup: vlissingen.municipality}).exists(), model
    assert not ExpenditureImport.objects.filter(municipality=municipality).exists()
    assert not Expenditure.history.filter(municipality=municipality).exists()
    assert not NeedsAnswer.history.filter(round__municipality=municipality).exists()
    assert not storage.exists(upload_name)
    # What is kept permanently stays: the plan, the final report, the settlement, and the
    # programme stays closed.
    assert Plan.objects.filter(municipality=municipality).exists()
    assert is_closed(municipality)
    settled.report.refresh_from_db()
    # The personal data of the person who left is gone.
    left.refresh_from_db()
    assert (left.username, left.first_name, left.last_name, left.email) == (
        f"geanonimiseerd-{left.pk}",
        "",
        "",
        "",
    )
    assert not left.has_usable_password()
    # The log remains: what, by whose approval, when.
    log = DestructionList.objects.get(pk=proposed.pk)
    assert log.status == DestructionStatus.DESTROYED
    assert log.destroyed_at is not None
    assert (log.admin_approved_name, log.archivist_approved_name) == (
        world.functional_admin.get_full_name() or world.functional_admin.username,
        "Anna Archivaris",
    )
    destroyed = {item.record_group: item.destroyed_records for item in log.items.all()}
    assert destroyed[RecordGroup.EXPENDITURES] == 3  # two expenditures and the import
    assert destroyed[RecordGroup.NEEDS] >= 2  # the round and its answer
    assert {item.destroyed_files for item in log.items.all()} >= {1}


def test_accounts_are_anonymised_only_after_the_configured_months(world, settings):
    settings.ANONYMISE_DEACTIVATED_USERS_AFTER_MONTHS = 12
    user = world.middelburg.policy_officer
    user.is_active = False
    user.save()
    assert user.deactivated_at is not None
    now = timezone.now()
    assert anonymise_departed_users(now=now + datetime.timedelta(days=300)) == 0
    assert anonymise_departed_users(now=now + datetime.timedelta(days=370)) == 1
    user.refresh_from_db()
    assert user.username == f"geanonimiseerd-{user.pk}"
    # Reactivating an account (before it is anonymised) stops the clock.
    other = world.vlissingen.policy_officer
    other.is_active = False
    other.save()
    other.is_active = True
    other.save()
    assert other.deactivated_at is None


def test_the_daily_task_proposes_the_lists_that_came_due(settled, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda: RETENTION_ENDS)
    assert propose_destruction_lists() == 1
    assert DestructionList.objects.get().municipality == settled.municipality


# Views ---------------------------------------------------------------------------------


@pytest.fixture
def proposed(settled):
    [destruction_list] = destruction.propose_lists(today=RETENTION_ENDS)
    return destruction_list


def _detail(destruction_list):
    return reverse(
        "archive:destruction-detail",
        kwargs={"code": destruction_list.municipality_code, "pk": destruction_list.pk},
    )


def test_the_archivist_and_the_administrator_see_the_list_others_do_not(
    client, world, proposed, archivist
):
    for user, status in [
        (archivist, 200),
        (world.functional_admin, 200),
        (world.middelburg.policy_officer, 403),
        (world.middelburg.finance_officer, 403),
        (UserFactory(municipality=world.vlissingen.municipality, is_archivist=True), 404),
        (world.vlissingen.finance_officer, 404),
    ]:
        client.force_login(user)
        assert client.get(_detail(proposed)).status_code == status, user
        list_url = reverse("archive:destruction-list", kwargs={"code": "GM0687"})
        assert client.get(list_url).status_code == status, user


def test_approving_on_the_page_takes_both_and_destroys(
    client, world, proposed, archivist, django_capture_on_commit_callbacks
):
    client.force_login(world.functional_admin)
    assert client.post(_detail(proposed)).status_code == 302
    client.force_login(archivist)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(_detail(proposed)).status_code == 302
    proposed.refresh_from_db()
    assert proposed.status == DestructionStatus.DESTROYED
    page = client.get(_detail(proposed)).content.decode()
    assert "Anna Archivaris" in page


def test_the_index_sends_an_archivist_to_their_own_lists_and_refuses_others(
    client, world, proposed, archivist
):
    client.force_login(archivist)
    response = client.get(reverse("archive:destruction-index"))
    assert response.url == reverse("archive:destruction-list", kwargs={"code": "GM0687"})
    client.force_login(world.middelburg.finance_officer)
    assert client.get(reverse("archive:destruction-index")).status_code == 403
    client.force_login(world.functional_admin)
    assert "GM0687" in client.get(reverse("archive:destruction-index")).content.decode()
