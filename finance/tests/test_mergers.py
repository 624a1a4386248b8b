"""Municipal mergers: Weesp into Amsterdam on 24-03-2022 (a merger within a year) and
Brielle, Hellevoetsluis and Westvoorne into Voorne aan Zee on 01-01-2023, with every
figure worked out by hand below."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from accounts.factories import UserFactory
from accounts.models import Municipality
from finance.factories import AllocationFactory, ExpenditureFactory, PaymentFactory
from finance.mergers import merge_municipalities
from finance.models import Expenditure, Payment
from finance.selectors import finance_totals
from npo_portal.formatting import format_euro
from plans.factories import InterventionFactory, PlanFactory, goal
from reporting import services as reporting
from reporting.selectors import report_data
from schools.factories import NeedsAnswerFactory, NeedsRoundFactory, SchoolFactory
from schools.models import School
from tests.pdftext import pdf_text

MERGER_DAY = datetime.date(2022, 3, 24)


def municipality(code: str, *, before_merger: bool = True) -> Municipality:
    """A municipality of the loaded register, optionally as it was before its merger."""
    found = Municipality.objects.get(code=code)
    if before_merger and found.successor_id:
        found.valid_until = found.successor = None
        found.save()
    return found


def spend(where, day, amount, goal_code="bovenschools", **extra):
    return ExpenditureFactory(
        municipality=where,
        date=day,
        amount=Decimal(amount),
        goal=goal(goal_code),
        **extra,
    )


@pytest.fixture
def weesp_and_amsterdam(db):
    """Weesp (allocation 50,000.00) and Amsterdam (1,000,000.00) before the merger.

    Weesp:     01-10-2021  1,000.00 bovenschools      (Weesp's own, 2021)
               10-02-2022  2,000.00 zorg en welzijn    (Weesp's own, 2022)
               23-03-2022    300.00 bovenschools       (Weesp's last day)
               24-03-2022    400.00 bovenschools       (merger day: moves to Amsterdam)
               01-06-2022    500.00 bovenschools       (moves to Amsterdam)
               payments 20-12-2021 10,416.67 and 20-04-2022 2,083.33 (the latter moves)
    Amsterdam: 01-11-2021 10,000.00, 01-05-2022 20,000.00, 15-01-2023 7,000.00
               payment 20-01-2022 41,666.67
    """
    weesp, amsterdam = municipality("GM0457"), municipality("GM0363")
    AllocationFactory(municipality=weesp, amount=Decimal("50000.00"))
    AllocationFactory(municipality=amsterdam, amount=Decimal("1000000.00"))
    plan = PlanFactory(municipality=weesp)
    summer = InterventionFactory(plan=plan, code="W-01", goal=goal("bovenschools"))
    spend(weesp, datetime.date(2021, 10, 1), "1000.00", intervention=summer)
    spend(weesp, datetime.date(2022, 2, 10), "2000.00", "zorg_welzijn")
    spend(weesp, datetime.date(2022, 3, 23), "300.00", intervention=summer)
    spend(weesp, datetime.date(2022, 3, 24), "400.00", intervention=summer)
    spend(weesp, datetime.date(2022, 6, 1), "500.00")
    spend(amsterdam, datetime.date(2021, 11, 1), "10000.00")
    spend(amsterdam, datetime.date(2022, 5, 1), "20000.00")
    spend(amsterdam, datetime.date(2023, 1, 15), "7000.00")
    PaymentFactory(municipality=weesp, date=datetime.date(2021, 12, 20), amount="10416.67")
    PaymentFactory(municipality=weesp, date=datetime.date(2022, 4, 20), amount="2083.33")
    PaymentFactory(municipality=amsterdam, date=datetime.date(2022, 1, 20), amount="41666.67")
    return weesp, amsterdam


def merge(weesp, amsterdam, *, move_users=True):
    return merge_municipalities(
        successor=amsterdam,
        predecessors=[weesp],
        day=MERGER_DAY,
        move_users=move_users,
        user=None,
    )


def test_the_predecessor_ends_the_day_before_and_what_follows_moves(weesp_and_amsterdam):
    weesp, amsterdam = weesp_and_amsterdam
    open_school = SchoolFactory(municipality=weesp)
    closed_school = SchoolFactory(municipality=weesp, closed_on=datetime.date(2021, 12, 31))

    result = merge(weesp, amsterdam)

    weesp.refresh_from_db()
    assert weesp.valid_until == datetime.date(2022, 3, 23)
    assert weesp.successor == amsterdam
    assert weesp.merged_on == MERGER_DAY
    assert (result.expenditures, result.payments, result.schools) == (2, 1, 1)
    open_school.refresh_from_db()
    closed_school.refresh_from_db()
    assert open_school.municipality == amsterdam
    assert closed_school.municipality == weesp
    assert sorted(
        Expenditure.objects.filter(municipality=weesp).values_list("date", flat=True)
    ) == [datetime.date(2021, 10, 1), datetime.date(2022, 2, 10), datetime.date(2022, 3, 23)]
    assert list(
        Payment.objects.filter(municipality=amsterdam).order_by("date").values_list("amount")
    ) == [(Decimal("41666.67"),), (Decimal("2083.33"),)]
    moved = Expenditure.objects.get(municipality=amsterdam, date=MERGER_DAY)
    assert moved.history.first().history_change_reason.startswith("Samenvoeging")


def test_the_successors_report_covers_the_whole_grant_split_by_date(weesp_and_amsterdam):
    weesp, amsterdam = weesp_and_amsterdam
    merge(weesp, amsterdam)

    report_2022 = report_data(municipality=amsterdam, year=2022, final_accounting=False)
    # Amsterdam's own 2022: 20,000.00 + 400.00 + 500.00 (Weesp's, dated from the merger day)
    # Weesp's share of 2022: 2,000.00 + 300.00 (up to its last day)
    assert report_2022.spent_year == Decimal("23200.00")
    # + 2021: Amsterdam 10,000.00 and Weesp 1,000.00
    assert report_2022.spent_cumulative == Decimal("34200.00")
    assert report_2022.allocation == Decimal("1050000.00")
    assert report_2022.received_year == Decimal("43750.00")  # 41,666.67 + 2,083.33
    assert report_2022.received_cumulative == Decimal("54166.67")  # + 10,416.67 in 2021
    indicators = {i.number: i.amount for i in report_2022.indicators}
    assert indicators["NPO/01"] == Decimal("23200.00")
    assert indicators["NPO/02"] == Decimal("34200.00")
    body_goals = {row.name: row.spent_year for row in report_2022.goals}
    assert body_goals[goal("zorg_welzijn").name] == Decimal("2000.00")  # Weesp's part

    own, share = report_2022.shares
    assert (own.municipality_code, own.merged_on) == ("GM0363", None)
    assert (own.spent_year, own.spent_cumulative) == (Decimal("20900.00"), Decimal("30900.00"))
    assert (share.municipality_code, share.merged_on) == ("GM0457", MERGER_DAY)
    assert (share.spent_year, share.spent_cumulative) == (Decimal("2300.00"), Decimal("3300.00"))
    assert (share.allocation, share.received_cumulative) == (
        Decimal("50000.00"),
        Decimal("10416.67"),
    )
    weesp_goals = {g.name: g.spent_year for g in share.goals}
    assert weesp_goals[goal("zorg_welzijn").name] == Decimal("2000.00")
    assert weesp_goals[goal("bovenschools").name] == Decimal("300.00")

    report_2023 = report_data(municipality=amsterdam, year=2023, final_accounting=False)
    assert report_2023.spent_year == Decimal("7000.00")
    assert report_2023.spent_cumulative == Decimal("41200.00")
    assert [s.spent_year for s in report_2023.shares] == [Decimal("7000.00"), Decimal("0.00")]

    # 2021 was still Weesp's own year: Amsterdam's report over it holds Amsterdam alone.
    report_2021 = report_data(municipality=amsterdam, year=2021, final_accounting=False)
    assert report_2021.spent_year == Decimal("10000.00")
    assert report_2021.shares == []


def test_shares_add_up_to_the_totals(weesp_and_amsterdam):
    weesp, amsterdam = weesp_and_amsterdam
    merge(weesp, amsterdam)
    totals = finance_totals(municipality=amsterdam, today=datetime.date(2026, 1, 1))
    assert [s.municipality for s in totals.shares] == [amsterdam, weesp]
    for name in ("allocation", "received", "spent", "expected_to_date"):
        assert getattr(totals, name) == sum(getattr(s, name) for s in totals.shares), name
    assert totals.spent == Decimal("41200.00")


def test_the_predecessors_earlier_report_stays_as_it_was(
    weesp_and_amsterdam, django_capture_on_commit_callbacks
):
    weesp, amsterdam = weesp_and_amsterdam
    finance_officer = UserFactory(municipality=weesp, finance=True)
    with django_capture_on_commit_callbacks(execute=True):
        report = reporting.start_report(municipality=weesp, year=2021, user=finance_officer)
    report.refresh_from_db()
    before = (report.pdf_sha256, report.xlsx_sha256, report.data_version)
    data_before = report_data(municipality=weesp, year=2021, final_accounting=False).data_version

    merge(weesp, amsterdam)

    report.refresh_from_db()
    assert (report.pdf_sha256, report.xlsx_sha256, report.data_version) == before
    assert (
        report_data(municipality=weesp, year=2021, final_accounting=False).data_version
        == data_before
    )
    # Weesp did not exist at the end of 2022: Amsterdam reports that year.
    weesp.refresh_from_db()
    with pytest.raises(ValidationError, match="Amsterdam"):
        reporting.start_report(municipality=weesp, year=2022, user=None)


def test_merging_again_changes_nothing(weesp_and_amsterdam):
    weesp, amsterdam = weesp_and_amsterdam
    merge(weesp, amsterdam)
    state = (
        list(Expenditure.objects.order_by("pk").values_list("municipality", "duplicate_key")),
        Expenditure.history.count(),
        Payment.history.count(),
    )

    again = merge(weesp, amsterdam)

    assert not again.changed
    assert state == (
        list(Expenditure.objects.order_by("pk").values_list("municipality", "duplicate_key")),
        Expenditure.history.count(),
        Payment.history.count(),
    )


def test_a_moving_reference_the_successor_already_uses_is_qualified_with_the_old_code(
    weesp_and_amsterdam,
):
    weesp, amsterdam = weesp_and_amsterdam
    staying = Expenditure.objects.get(municipality=weesp, date=datetime.date(2022, 2, 10))
    on_merger_day = Expenditure.objects.get(municipality=weesp, date=MERGER_DAY)
    later = Expenditure.objects.get(municipality=weesp, date=datetime.date(2022, 6, 1))
    amsterdams = Expenditure.objects.get(municipality=amsterdam, date=datetime.date(2022, 5, 1))
    for expenditure, reference in (
        (staying, "W-0001"),
        (later, "2022-0001"),
        (on_merger_day, "W-0009"),
        (amsterdams, "2022-0001"),
    ):
        expenditure.extern_id = reference
        expenditure.save()

    merge(weesp, amsterdam)

    for expenditure in (staying, on_merger_day, later, amsterdams):
        expenditure.refresh_from_db()
    assert (staying.municipality, staying.extern_id) == (weesp, "W-0001")
    assert (on_merger_day.municipality, on_merger_day.extern_id) == (amsterdam, "W-0009")
    assert (later.municipality, later.extern_id) == (amsterdam, "GM0457:2022-0001")
    assert amsterdams.extern_id == "2022-0001"
    assert later.history.first().extern_id == "GM0457:2022-0001"


def test_a_merger_whose_references_cannot_be_kept_apart_is_refused(weesp_and_amsterdam):
    weesp, amsterdam = weesp_and_amsterdam
    later = Expenditure.objects.get(municipality=weesp, date=datetime.date(2022, 6, 1))
    later.extern_id = "2022-0001"
    later.save()
    for day, reference in (
        (datetime.date(2022, 5, 1), "2022-0001"),
        (datetime.date(2021, 11, 1), "GM0457:2022-0001"),
    ):
        Expenditure.objects.filter(municipality=amsterdam, date=day).update(extern_id=reference)

    with pytest.raises(ValidationError) as refused:
        merge(weesp, amsterdam)

    assert "GM0457:2022-0001" in " ".join(refused.value.messages)
    later.refresh_from_db()
    assert (later.municipality, later.extern_id) == (weesp, "2022-0001")


def test_a_moved_user_sees_the_successor_and_nothing_else(weesp_and_amsterdam, client, world):
    weesp, amsterdam = weesp_and_amsterdam
    officer = UserFactory(municipality=weesp, finance=True)
    merge(weesp, amsterdam)
    officer.refresh_from_db()
    assert officer.municipality == amsterdam and officer.is_active

    client.force_login(officer)
    page = client.get(reverse("finance:dashboard", args=[amsterdam.code]))
    assert page.status_code == 200
    shares = page.content.decode()
    assert 'id="shares"' in shares and "Weesp" in shares and "24-03-2022" in shares
    # Weesp's own books stay readable to its successor; other municipalities are not.
    assert client.get(reverse("finance:dashboard", args=[weesp.code])).status_code == 200
    middelburg = world.middelburg.municipality
    assert client.get(reverse("finance:dashboard", args=[middelburg.code])).status_code == 404
    # Weesp's books are history now: nobody records on them.
    assert client.get(reverse("finance:expenditure-create", args=[weesp.code])).status_code == 403


def test_a_predecessors_users_can_be_deactivated_instead(weesp_and_amsterdam):
    weesp, amsterdam = weesp_and_amsterdam
    officer = UserFactory(municipality=weesp)
    result = merge(weesp, amsterdam, move_users=False)
    officer.refresh_from_db()
    assert (officer.is_active, officer.municipality, result.users_deactivated) == (False, weesp, 1)


def test_the_predecessors_needs_answers_are_kept(weesp_and_amsterdam):
    weesp, amsterdam = weesp_and_amsterdam
    school = SchoolFactory(municipality=weesp)
    answer = NeedsAnswerFactory(round=NeedsRoundFactory(municipality=weesp), school=school)
    merge(weesp, amsterdam)
    answer.refresh_from_db()
    assert answer.round.municipality == weesp and answer.school.municipality == amsterdam
    # Weesp's round still lists the school that answered in it.
    assert list(School.objects.in_round(answer.round)) == [school]


def test_a_merger_is_refused_with_the_reasons_and_changes_nothing(weesp_and_amsterdam):
    weesp, amsterdam = weesp_and_amsterdam
    # The same invoice recorded at Amsterdam as well as (after the merger day) at Weesp.
    moving = Expenditure.objects.get(municipality=weesp, date=datetime.date(2022, 6, 1))
    spend(
        amsterdam,
        moving.date,
        moving.amount,
        description=moving.description,
        invoice_number=moving.invoice_number,
        supplier=moving.supplier,
    )
    with pytest.raises(ValidationError) as refused:
        merge(weesp, amsterdam)
    assert "dubbel geteld" in " ".join(refused.value.messages)
    weesp.refresh_from_db()
    assert weesp.successor is None and Expenditure.objects.filter(municipality=weesp).count() == 5

    with pytest.raises(ValidationError, match="in zichzelf"):
        merge_municipalities(
            successor=amsterdam,
            predecessors=[amsterdam],
            day=MERGER_DAY,
            move_users=True,
            user=None,
        )
    Expenditure.objects.filter(municipality=amsterdam, date=moving.date).delete()
    merge(weesp, amsterdam)
    with pytest.raises(ValidationError, match="Weesp is al opgegaan in Amsterdam na 23-03-2022"):
        merge_municipalities(
            successor=municipality("GM0687"),
            predecessors=[weesp],
            day=datetime.date(2023, 1, 1),
            move_users=True,
            user=None,
        )


def test_the_command_merges_and_says_so(weesp_and_amsterdam):
    weesp, amsterdam = weesp_and_amsterdam
    out = io.StringIO()
    call_command(
        "merge_municipalities", "--into", "GM0363", "--from", "0457", "--date", "24-03-2022",
        stdout=out,
    )  # fmt: skip
    assert "Weesp" in out.getvalue() and "2 uitgaven" in out.getvalue()
    weesp.refresh_from_db()
    assert weesp.successor == amsterdam
    again = io.StringIO()
    call_command(
        "merge_municipalities", "--into", "GM0363", "--from", "GM0457", "--date", "24-03-2022",
        stdout=again,
    )  # fmt: skip
    assert "Niets gewijzigd" in again.getvalue()
    with pytest.raises(CommandError):
        call_command(
            "merge_municipalities", "--into", "GM0363", "--from", "GM9999", "--date", "24-03-2022"
        )


def test_three_municipalities_merge_on_new_years_day(db):
    """Voorne aan Zee (GM1992) from Brielle, Hellevoetsluis and Westvoorne on 01-01-2023."""
    successor = municipality("GM1992")
    predecessors = [municipality(code) for code in ("GM0501", "GM0530", "GM0614")]
    for number, predecessor in enumerate(predecessors, start=1):
        AllocationFactory(municipality=predecessor, amount=Decimal(number * 100000))
        spend(predecessor, datetime.date(2022, 6, 1), f"{number * 1000}.00")
    spend(successor, datetime.date(2023, 2, 1), "500.00")

    result = merge_municipalities(
        successor=successor,
        predecessors=predecessors,
        day=datetime.date(2023, 1, 1),
        move_users=True,
        user=None,
    )

    assert [p.valid_until for p in result.predecessors] == [datetime.date(2022, 12, 31)] * 3
    # Each predecessor still reports its own 2022; Voorne aan Zee did not exist yet.
    assert report_data(
        municipality=predecessors[0], year=2022, final_accounting=False
    ).spent_year == Decimal("1000.00")
    with pytest.raises(ValidationError):
        reporting.start_report(municipality=successor, year=2022, user=None)
    report = report_data(municipality=successor, year=2023, final_accounting=False)
    assert report.spent_year == Decimal("500.00")
    assert report.spent_cumulative == Decimal("6500.00")  # 1,000 + 2,000 + 3,000 + 500
    assert report.allocation == Decimal("600000.00")
    assert [s.municipality_code for s in report.shares] == ["GM1992", "GM0501", "GM0530", "GM0614"]


def test_the_merged_report_files_show_each_share(
    weesp_and_amsterdam, django_capture_on_commit_callbacks, client
):
    weesp, amsterdam = weesp_and_amsterdam
    merge(weesp, amsterdam)
    officer = UserFactory(municipality=amsterdam, finance=True)
    with django_capture_on_commit_callbacks(execute=True):
        report = reporting.start_report(municipality=amsterdam, year=2022, user=officer)
    report.refresh_from_db()
    assert report.status == "klaar", report.failure_reason

    with report.xlsx.open("rb") as stored:
        workbook = load_workbook(io.BytesIO(stored.read()))
    sheet = workbook[workbook.sheetnames[-1]]
    totals = {
        row[0]: row[4:9]
        for row in sheet.iter_rows(min_row=2, values_only=True)
        if row[1] in ("Totaal", None)
    }
    assert totals["Weesp"] == (50000, 0, 10416.67, 2300, 3300)
    assert totals["Totaal"][3:] == (23200, 34200)

    client.force_login(officer)
    preview = client.get(reverse("reporting:report-preview", args=[amsterdam.code, 2022]))
    html = preview.content.decode()
    assert 'id="shares"' in html
    assert format_euro(Decimal("2300.00")) in html and format_euro(Decimal("23200.00")) in html


def test_the_pdf_names_each_share(weesp_and_amsterdam, django_capture_on_commit_callbacks):
    weesp, amsterdam = weesp_and_amsterdam
    merge(weesp, amsterdam)
    with django_capture_on_commit_callbacks(execute=True):
        report = reporting.start_report(municipality=amsterdam, year=2022, user=None)
    report.refresh_from_db()
    with report.pdf.open("rb") as stored:
        text = pdf_text(stored.read(), layout=True)
    weesp_line = next(line for line in text.splitlines() if line.strip().startswith("Weesp"))
    assert weesp_line.split()[1:] == [
        "€", "50.000,00", "€", "0,00", "€", "10.416,67", "€", "2.300,00", "€", "3.300,00"
    ]  # fmt: skip
    assert "opgegaan per" in text and "24-03-2022" in text


def test_the_functional_administrator_merges_in_the_admin(weesp_and_amsterdam, client, world):
    weesp, amsterdam = weesp_and_amsterdam
    changelist = reverse("admin:finance_municipalmerger_changelist")
    chosen = {"action": "merge", "_selected_action": [weesp.pk]}
    client.force_login(world.functional_admin)
    form = client.post(changelist, chosen)
    assert form.status_code == 200 and "Datum samenvoeging" in form.content.decode()

    done = client.post(
        changelist,
        {**chosen, "apply": "1", "successor": amsterdam.pk, "day": "24-03-2022", "users": "move"},
        follow=True,
    )

    assert "opgegaan in Amsterdam" in done.content.decode()
    weesp.refresh_from_db()
    assert weesp.successor == amsterdam and weesp.valid_until == datetime.date(2022, 3, 23)


def test_a_predecessors_own_page_sends_to_the_successor_without_a_reclaim_warning(
    weesp_and_amsterdam, client
):
    weesp, amsterdam = weesp_and_amsterdam
    merge(weesp, amsterdam)
    client.force_login(UserFactory(municipality=amsterdam, finance=True))
    page = client.get(reverse("finance:dashboard", args=[weesp.code])).content.decode()
    assert "opgegaan in Amsterdam" in page
    assert reverse("finance:dashboard", args=[amsterdam.code]) in page
    assert "risico op terugvordering" not in page
