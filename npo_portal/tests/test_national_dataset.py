import pytest
from django.core.management import CommandError, call_command

from finance.models import Expenditure, Payment, PaymentScheduleEntry
from npo_portal.national_dataset import generate
from plans.models import Allocation, Intervention, Plan
from schools.models import NeedsAnswer, School

SMALL = {"municipalities": 3, "schools": 20, "expenditures": 500}


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
