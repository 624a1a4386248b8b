import datetime

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Municipality, User
from dataset.generator import generate
from finance.models import Expenditure, Payment, PaymentScheduleEntry
from finance.selectors import finance_totals
from plans.models import Allocation, Intervention, Plan
from schools.models import NeedsAnswer, NeedsRound, School
from schools.services import import_schools

SMALL = {"municipalities": 3, "schools": 20, "expenditures": 500}
# Amsterdam with Weesp (merged 24-03-2022), and Voorne aan Zee (formed 1-1-2023) with
# Brielle, Hellevoetsluis and Westvoorne: the register's mergers on their real dates.
MERGED = {"municipalities": 0, "codes": ["GM0363", "GM1992"], "schools": 40, "expenditures": 800}
PREDECESSORS = ["GM0457", "GM0501", "GM0530", "GM0614"]


def snapshot():
    return (
        list(School.objects.order_by("brin").values_list("brin", "municipality__code", "board__number")),
        list(Intervention.objects.order_by("plan__municipality__code", "code").values_list("title", "goal__code", "start")),
        list(Expenditure.objects.order_by("duplicate_key").values_list("duplicate_key", "amount", "date")),
    )  # fmt: skip


@pytest.mark.django_db
def test_generates_the_requested_numbers_for_each_municipality():
    result = generate(**SMALL, seed=7)

    assert result.counts["municipalities"] == 3
    assert School.objects.count() == 20
    assert Expenditure.objects.count() == 500
    assert Plan.objects.count() == 3 == Allocation.objects.count()
    assert Payment.objects.count() == 3 * PaymentScheduleEntry.objects.count()
    for plan in Plan.objects.all():
        assert 5 <= plan.interventions.count() <= 60
    assert NeedsAnswer.objects.exists()
    assert Expenditure.objects.filter(amount__lt=0).exists()
    assert Expenditure.objects.ineligible().exists()
    assert Expenditure.objects.eligible().exists()


@pytest.mark.django_db
def test_every_row_belongs_to_the_municipality_it_is_filed_under():
    generate(**SMALL, seed=7)

    assert (
        not Expenditure.objects.exclude(intervention__isnull=True)
        .exclude(intervention__plan__municipality=models_f("municipality"))
        .exists()
    )
    assert not NeedsAnswer.objects.exclude(
        school__municipality=models_f("round__municipality")
    ).exists()
    assert not NeedsAnswer.objects.exclude(board=models_f("school__board")).exists()
    assert not Expenditure.objects.exclude(
        recorded_by__municipality=models_f("municipality")
    ).exists()


def models_f(name):
    from django.db.models import F

    return F(name)


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_data_and_another_seed_other_data():
    generate(**SMALL, seed=7)
    first = snapshot()
    generate(**SMALL, seed=7, force=True)
    again = snapshot()
    generate(**SMALL, seed=8, force=True)

    assert first == again
    assert snapshot()[2] != first[2]


@pytest.mark.django_db
def test_refuses_a_database_with_portal_data_unless_forced(world):
    with pytest.raises(CommandError, match="bevat al portaalgegevens"):
        call_command(
            "generate_national_dataset", "--municipalities=2", "--schools=4", "--expenditures=10"
        )

    call_command(
        "generate_national_dataset",
        "--municipalities=2",
        "--schools=4",
        "--expenditures=10",
        "--force",
    )
    assert Expenditure.objects.count() == 10


@pytest.mark.django_db
def test_a_set_with_mergers_includes_the_predecessors_and_merges_them_through_the_service():
    result = generate(**MERGED, seed=7)

    assert result.counts["municipalities"] == 6
    assert result.counts["mergers"] == 2
    assert set(Plan.objects.values_list("municipality__code", flat=True)) >= set(PREDECESSORS)
    for merger in result.mergers:
        # The data was already split by date: only the locations and the users move.
        assert (merger.expenditures, merger.payments, merger.users_deactivated) == (0, 0, 0)
        # The DUO files list the schools under their municipality of 1-10-2020; the import
        # already places a merged municipality's schools in its successor.
        assert merger.schools == 0
        assert merger.users_moved == 2 * len(merger.predecessors)
        assert merger.ended == []  # the register already knew the merger
    voorne = Municipality.objects.get(code="GM1992")
    assert not Allocation.objects.filter(municipality=voorne).exists()
    assert Allocation.objects.count() == 5
    assert not School.objects.filter(municipality__code__in=PREDECESSORS).exists()


@pytest.mark.django_db
def test_nothing_of_a_municipality_is_dated_outside_its_existence():
    generate(**MERGED, seed=7)

    for m in Municipality.objects.filter(code__in=[*PREDECESSORS, "GM1992"]):
        for model in (Expenditure, Payment):
            rows = model.objects.filter(municipality=m)
            if m.valid_until:
                assert not rows.filter(date__gt=m.valid_until).exists(), (model, m)
            if m.valid_from:
                assert not rows.filter(date__lt=m.valid_from).exists(), (model, m)
        for needs_round in NeedsRound.objects.filter(municipality=m):
            assert m.valid_until is None or needs_round.deadline <= m.valid_until
            assert m.valid_from is None or needs_round.deadline >= m.valid_from
    weesp = Municipality.objects.get(code="GM0457")
    assert Expenditure.objects.filter(municipality=weesp).exists()
    assert not NeedsRound.objects.filter(municipality=weesp).exists()  # gone by 1-11-2022


@pytest.mark.django_db
def test_a_successor_accounts_for_its_predecessors_shares_and_receives_their_payments():
    generate(**MERGED, seed=7)
    voorne = Municipality.objects.get(code="GM1992")
    today = datetime.date(2026, 1, 1)

    totals = finance_totals(municipality=voorne, today=today)

    codes = {share.municipality.code for share in totals.shares}
    assert codes == {"GM1992", "GM0501", "GM0530", "GM0614"}
    allocated = sum(a.amount for a in Allocation.objects.filter(municipality__successor=voorne))
    assert totals.allocation == allocated > 0
    # The parts due from January 2023 on went to Voorne aan Zee, and all parts add up.
    assert Payment.objects.filter(municipality=voorne).exists()
    paid = sum(
        p.amount
        for p in Payment.objects.filter(municipality__in=[voorne, *voorne.predecessors.all()])
    )
    assert abs(paid - allocated) < 1
    amsterdam = Municipality.objects.get(code="GM0363")
    assert len(finance_totals(municipality=amsterdam, today=today).shares) == 2


@pytest.mark.django_db
def test_the_predecessors_users_and_schools_now_belong_to_the_successor():
    generate(**MERGED, seed=7)

    for code in PREDECESSORS:
        m = Municipality.objects.get(code=code)
        for kind in ("beleid", "financien"):
            user = User.objects.get(username=f"nat-{kind}-{code.lower()}")
            assert user.municipality == m.successor and user.is_active
        assert not School.objects.filter(municipality=m).exists()
    # What stayed with a predecessor still belongs to whoever holds it now.
    for answer in NeedsAnswer.objects.select_related("round__municipality", "school"):
        assert answer.round.municipality.is_held_by(answer.school.municipality_id)
        assert answer.board_id == answer.school.board_id
    for expenditure in Expenditure.objects.select_related("municipality", "recorded_by"):
        assert expenditure.municipality.is_held_by(expenditure.recorded_by.municipality_id)
    assert (
        not Expenditure.objects.exclude(intervention__isnull=True)
        .exclude(intervention__plan__municipality=models_f("municipality"))
        .exists()
    )


@pytest.mark.django_db
def test_the_schools_come_from_duo_files_that_import_again_without_changes(tmp_path):
    result = generate(**SMALL, seed=7, duo_dir=tmp_path)

    files = sorted(path.name for path in tmp_path.iterdir())
    assert "besturenbo.csv" in files and "vestigingenbo.csv" in files
    assert set(files) <= {
        f"{name}{kind}.csv" for name in ("besturen", "vestigingen") for kind in ("bo", "so", "vo")
    }
    header = (tmp_path / "vestigingenbo.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("BEVOEGD GEZAG NUMMER;INSTELLINGSCODE;VESTIGINGSCODE;VESTIGINGSNAAM")
    assert not School.objects.filter(duo_file="").exists()
    assert result.counts["schools"] == 20
    for name in files:
        again = import_schools(content=(tmp_path / name).read_bytes())
        assert again.ok, again.errors
        changed = [again.schools_created, again.schools_updated, again.schools_closed]
        changed += [again.boards_created, again.boards_updated]
        assert changed == [0, 0, 0, 0, 0], name
        assert again.schools_unchanged + again.boards_unchanged > 0


@pytest.mark.django_db
def test_reimporting_duo_files_from_before_a_merger_keeps_the_schools_at_the_successor(
    tmp_path,
):
    generate(**MERGED, seed=7, duo_dir=tmp_path)

    for path in sorted(tmp_path.glob("vestigingen*.csv")):
        import_schools(content=path.read_bytes())

    assert not School.objects.filter(municipality__code__in=PREDECESSORS).exists()
