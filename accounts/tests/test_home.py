"""Each role's home page says what to do next."""

from decimal import Decimal

from django.urls import reverse

from finance.factories import AllocationFactory, ExpenditureFactory
from finance.models import ExpenditureImport, ImportStatus
from plans.factories import InterventionFactory, PlanFactory
from reporting.factories import AccountabilityReportFactory, ReportBatchFactory
from reporting.models import ReportStatus, SisaYear
from schools.factories import NeedsRoundFactory


def home(client, user) -> str:
    client.force_login(user)
    return client.get(reverse("home")).content.decode()


def test_the_policy_officer_sees_the_plans_next_step_non_responders_and_idle_interventions(
    client, world
):
    municipality = world.middelburg.municipality
    AllocationFactory(municipality=municipality, amount=Decimal("100000.00"))
    plan = PlanFactory(municipality=municipality)
    InterventionFactory(plan=plan, code="ZS-01", title="Zomerschool", budgets={2022: "5000.00"})
    spent = InterventionFactory(plan=plan, code="HW-02", budgets={2022: "800.00"})
    ExpenditureFactory(municipality=municipality, intervention=spent)
    NeedsRoundFactory(municipality=municipality, title="Peiling 2022")
    body = home(client, world.middelburg.policy_officer)
    assert "Concept" in body and "zet het plan daarna op “In overleg”" in body
    assert "1 school heeft nog niet ingediend" in body
    assert "ZS-01 Zomerschool (begroot €\xa05.000,00)" in body
    assert "HW-02" not in body


def test_the_finance_officer_sees_the_amount_at_risk_what_lowers_it_years_and_failed_imports(
    client, world
):
    municipality = world.middelburg.municipality
    AllocationFactory(municipality=municipality, amount=Decimal("100000.00"))
    ExpenditureFactory(municipality=municipality, after_period=True)
    AccountabilityReportFactory(municipality=municipality, year=2022, done=True)
    ExpenditureImport.objects.create(
        municipality=municipality,
        file_name="uitgaven-fout.csv",
        size=10,
        sha256="1" * 64,
        status=ImportStatus.REJECTED,
    )
    body = " ".join(home(client, world.middelburg.finance_officer).split())
    assert "kan worden teruggevorderd" in body and "Wat dit verlaagt" in body
    assert "1 uitgave van € 1.250,00 is niet subsidiabel." in body  # split() ate the NBSP
    assert "uitgaven-fout.csv" in body
    assert "2021</span>: nog geen rapport; maak het" in body
    assert "2022</span>: rapport klaar; controleer het en maak het definitief" in body


def test_the_school_board_gets_a_fill_in_button_per_school_with_the_deadline(client, world):
    needs_round = NeedsRoundFactory(municipality=world.middelburg.municipality)
    body = home(client, world.middelburg.board_user)
    edit = reverse(
        "schools:answer-edit",
        kwargs={"pk": needs_round.pk, "school_pk": world.middelburg.school.pk},
    )
    assert f'href="{edit}"' in body
    assert "uiterlijk " + needs_round.deadline.strftime("%d-%m-%Y") in body


def test_the_administrator_sees_failed_reports_unconfirmed_sisa_years_and_batches(client, world):
    AccountabilityReportFactory(
        municipality=world.vlissingen.municipality, year=2022, status=ReportStatus.FAILED
    )
    batch = ReportBatchFactory(year=2023)
    SisaYear.objects.filter(year=2024).update(grant_code_confirmed=False)
    body = home(client, world.functional_admin)
    assert "NPO-GM0718-2022-v1" in body
    assert reverse("reporting:batch-detail", kwargs={"pk": batch.pk}) in body
    assert reverse("reporting:batch-list") in body
    if SisaYear.objects.filter(grant_code_confirmed=False).exists():
        assert "waarvan de uitkeringscode niet is bevestigd" in body


def test_the_money_card_lists_only_the_imports_that_failed_since_the_last_that_went_through(
    client, world
):
    municipality = world.middelburg.municipality
    AllocationFactory(municipality=municipality, amount=Decimal("100000.00"))
    moments = {
        "oud-geweigerd.csv": (ImportStatus.REJECTED, "2024-03-01T09:00:00+01:00"),
        "gelukt.csv": (ImportStatus.DONE, "2024-03-02T09:00:00+01:00"),
        "nieuw-mislukt.csv": (ImportStatus.FAILED, "2024-03-03T09:00:00+01:00"),
    }
    for name, (status, moment) in moments.items():
        job = ExpenditureImport.objects.create(
            municipality=municipality, file_name=name, size=10, sha256="1" * 64, status=status
        )
        ExpenditureImport.objects.filter(pk=job.pk).update(created_at=moment)
    body = home(client, world.middelburg.finance_officer)
    assert "nieuw-mislukt.csv" in body
    assert "oud-geweigerd.csv" not in body  # an import went through after it
