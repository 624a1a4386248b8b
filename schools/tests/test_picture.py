import csv
import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from accounts.factories import SchoolBoardFactory
from schools import selectors
from schools.factories import NeedsAnswerFactory, NeedsRoundFactory, SchoolFactory
from schools.models import QuestionAnswer, RoundQuestion, Sector
from tests.spreadsheets import (
    assert_dates,
    assert_dutch_headers,
    assert_no_number_or_date_as_text,
    workbook,
)


@pytest.fixture
def needs_round(world):
    return NeedsRoundFactory(municipality=world.middelburg.municipality)


def add_schools(world, needs_round, count: int):
    """`count` schools: a third submitted, a third draft, a third without an answer."""
    municipality = world.middelburg.municipality
    for index in range(count):
        school = SchoolFactory(
            municipality=municipality,
            board=SchoolBoardFactory(),
            sector=[Sector.PO, Sector.VO, Sector.SO][index % 3],
        )
        if index % 3 == 0:
            NeedsAnswerFactory(
                round=needs_round,
                school=school,
                submitted=True,
                free_text=f"Opmerking {index}",
                needs=[(f"Behoefte {index}", ["bovenschools", "thuiszitters"])],
            )
        elif index % 3 == 1:
            NeedsAnswerFactory(round=needs_round, school=school)


def test_picture_counts_only_submitted_answers_per_domain_and_sector(world, needs_round):
    po = world.middelburg.school
    vo = SchoolFactory(municipality=po.municipality, board=po.board, sector=Sector.VO)
    NeedsAnswerFactory(
        round=needs_round,
        school=po,
        submitted=True,
        delays={"rekenen": ("ernstig", 40), "taal_lezen": ("beperkt", 10)},
        needs=[("Zomerschool", ["bovenschools"])],
        free_text="Veel verzuim.",
    )
    NeedsAnswerFactory(
        round=needs_round,
        school=SchoolFactory(municipality=po.municipality, board=po.board),
        submitted=True,
        delays={"rekenen": ("aanzienlijk", 21)},
    )
    NeedsAnswerFactory(round=needs_round, school=vo, delays={"rekenen": ("ernstig", 90)})
    picture = selectors.municipal_picture(needs_round=needs_round)

    assert picture.counts == {"submitted": 2, "draft": 1}
    rekenen = next(r for r in picture.delay_rows if r.domain == "rekenen")
    assert (rekenen.sector, rekenen.schools, rekenen.serious) == ("po", 2, 2)
    assert rekenen.average_share == Decimal(31)  # (40 + 21) / 2, rounded half up
    assert {r.sector for r in picture.delay_rows} == {"po"}  # the vo draft does not count
    needs = {
        entry.goal.code: [n.description for n in entry.needs] for entry in picture.needs_by_goal
    }
    assert needs["bovenschools"] == ["Zomerschool"]
    assert needs["thuiszitters"] == []
    assert [t.description for t in picture.free_texts] == ["Veel verzuim."]


def test_picture_query_count_does_not_grow_with_the_number_of_schools(
    world, needs_round, django_assert_num_queries
):
    add_schools(world, needs_round, 3)
    with CaptureQueriesContext(connection) as small:
        selectors.municipal_picture(needs_round=needs_round)
    assert len(small) == 9
    add_schools(world, needs_round, 30)
    with django_assert_num_queries(len(small)):
        picture = selectors.municipal_picture(needs_round=needs_round)
    assert len(picture.responses) == 34


def test_picture_page_query_count_is_fixed(
    client, world, needs_round, django_assert_max_num_queries
):
    add_schools(world, needs_round, 30)
    client.force_login(world.middelburg.policy_officer)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("schools:picture", args=[needs_round.pk]))
    assert response.status_code == 200
    assert "Opmerking 0" in response.content.decode()


def test_picture_page_shows_chart_table_needs_and_texts(client, world, needs_round):
    NeedsAnswerFactory(
        round=needs_round,
        school=world.middelburg.school,
        submitted=True,
        needs=[("Schoolmaatschappelijk werk", ["zorg_welzijn"])],
        free_text="Ouders zijn moeilijk te bereiken.",
    )
    client.force_login(world.middelburg.finance_officer)
    body = client.get(reverse("schools:picture", args=[needs_round.pk])).content.decode()
    assert "<svg" in body
    assert "Aandeel getroffen leerlingen per domein en sector" in body
    assert "Schoolmaatschappelijk werk" in body
    assert "Ouders zijn moeilijk te bereiken." in body
    assert "10%" in body


def test_board_users_do_not_see_the_municipal_picture(client, world, needs_round):
    client.force_login(world.middelburg.board_user)
    for name in ("schools:picture", "schools:picture-xlsx", "schools:picture-csv"):
        assert client.get(reverse(name, args=[needs_round.pk])).status_code == 403


def test_xlsx_and_csv_exports_hold_the_same_picture(client, world, needs_round):
    NeedsAnswerFactory(
        round=needs_round,
        school=world.middelburg.school,
        submitted=True,
        delays={"rekenen": ("ernstig", 40)},
        needs=[("Zomerschool", ["bovenschools"])],
    )
    client.force_login(world.middelburg.policy_officer)
    response = client.get(reverse("schools:picture-xlsx", args=[needs_round.pk]))
    assert response["Content-Disposition"].startswith('attachment; filename="behoeftebeeld-GM0687')
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == [
        "Respons",
        "Vertragingen",
        "Behoeften",
        "Menu-interventies",
        "Vrije tekst",
    ]
    delays = list(workbook["Vertragingen"].values)
    assert delays[1] == ("Rekenen", "Primair onderwijs (po)", 1, 0, 0, 0, 1, 40)
    assert list(workbook["Behoeften"].values)[1][2] == "Zomerschool"

    response = client.get(reverse("schools:picture-csv", args=[needs_round.pk]))
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    # One table: the part a row belongs to, then the columns of every part.
    header = rows[0]
    assert header[:8] == [
        "Onderdeel",
        "BRIN",
        "School",
        "Sector",
        "Schoolbestuur",
        "Status",
        "Ingediend op",
        "Domein",
    ]
    delays = [dict(zip(header, row, strict=True)) for row in rows if row[0] == "Vertragingen"]
    assert [
        (
            d["Domein"],
            d["Sector"],
            d["Scholen"],
            d["Ernstig"],
            d["Gemiddeld aandeel leerlingen (%)"],
        )
        for d in delays
    ] == [("Rekenen", "Primair onderwijs (po)", "1", "1", "40")]
    needs = [dict(zip(header, row, strict=True)) for row in rows if row[0] == "Behoeften"]
    assert [(n["School"], n["Behoefte"]) for n in needs] == [
        (world.middelburg.school.name, "Zomerschool")
    ]


def test_the_picture_csv_is_one_table_with_its_header_first_in_utf8_with_a_bom(
    client, world, needs_round
):
    NeedsAnswerFactory(
        round=needs_round,
        school=world.middelburg.school,
        submitted=True,
        needs=[("Zomerschool", ["bovenschools"])],
    )
    client.force_login(world.middelburg.policy_officer)
    response = client.get(reverse("schools:picture-csv", args=[needs_round.pk]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith("\ufeffOnderdeel;BRIN;School;".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert {len(row) for row in rows} == {len(rows[0])}
    response_row = next(row for row in rows if row[0] == "Respons")
    submitted = response_row[rows[0].index("Ingediend op")]
    assert re.fullmatch(r"\d\d-\d\d-\d{4} \d\d:\d\d", submitted), submitted


def test_the_picture_workbook_has_a_date_cell_and_dutch_headings(client, world, needs_round):
    NeedsAnswerFactory(
        round=needs_round,
        school=world.middelburg.school,
        submitted=True,
        delays={"rekenen": ("ernstig", 40)},
        needs=[("Zomerschool", ["bovenschools"])],
    )
    client.force_login(world.middelburg.policy_officer)
    book = workbook(client.get(reverse("schools:picture-xlsx", args=[needs_round.pk])).content)
    for sheet in book.worksheets:
        assert_dutch_headers(sheet)
    assert_dates(book["Respons"], "Ingediend op", with_time=True)
    assert_no_number_or_date_as_text(book)


def test_needs_summary_for_the_plan_page_reads_the_latest_round(world, needs_round):
    NeedsAnswerFactory(
        round=needs_round,
        school=world.middelburg.school,
        submitted=True,
        delays={"rekenen": ("ernstig", 40), "motoriek": ("beperkt", 5)},
        needs=[("Zomerschool", ["bovenschools"]), ("Huiswerkklas", ["bovenschools"])],
    )
    summary = selectors.needs_summary(municipality=world.middelburg.municipality)
    assert (summary.needs_round, summary.submitted, summary.schools) == (needs_round, 1, 1)
    rekenen = next(d for d in summary.domains if d.label == "Rekenen")
    assert (rekenen.serious, rekenen.average_share) == (1, Decimal(40))
    assert {g.code: n for g, n in summary.goals}["bovenschools"] == 2
    assert selectors.needs_summary(municipality=world.vlissingen.municipality) is None


def test_needs_summary_include_renders(world, needs_round, rf):
    from django.template.loader import render_to_string

    NeedsAnswerFactory(round=needs_round, school=world.middelburg.school, submitted=True)
    request = rf.get("/")
    request.user = world.middelburg.policy_officer
    html = render_to_string(
        "schools/includes/needs_summary.html",
        {
            "summary": selectors.needs_summary(municipality=world.middelburg.municipality),
            "user": request.user,
        },
        request=request,
    )
    assert "1 van 1 scholen ingediend" in html
    assert reverse("schools:picture", args=[needs_round.pk]) in html


def test_a_title_that_names_its_school_year_does_not_repeat_it(world):
    from schools.exports import filename

    named = NeedsRoundFactory(
        municipality=world.middelburg.municipality,
        title="Behoeftepeiling NP Onderwijs 2022-2023",
        school_year="2022-2023",
    )
    bare = NeedsRoundFactory(
        municipality=world.middelburg.municipality,
        title="Behoeftepeiling NP Onderwijs",
        school_year="2023-2024",
    )
    assert str(named) == "Behoeftepeiling NP Onderwijs 2022-2023"
    assert str(bare) == "Behoeftepeiling NP Onderwijs (2023-2024)"
    picture = selectors.municipal_picture(needs_round=named)
    assert filename(picture, "xlsx") == (
        "behoeftebeeld-GM0687-behoeftepeiling-np-onderwijs-2022-2023.xlsx"
    )
    picture = selectors.municipal_picture(needs_round=bare)
    assert filename(picture, "csv") == (
        "behoeftebeeld-GM0687-behoeftepeiling-np-onderwijs-2023-2024.csv"
    )


def test_picture_page_lists_a_page_at_a_time_with_its_counts_over_all_schools(
    client, world, needs_round
):
    """91 schools, 30 submitted (each with a need in two goals and a remark): the counts
    cover them all, the schools, a goal's needs and the remarks come 25 a page, and every
    one of them is on some page."""
    add_schools(world, needs_round, 90)
    client.force_login(world.middelburg.policy_officer)
    url = reverse("schools:picture", args=[needs_round.pk])

    def pages(param: str, **query) -> list[str]:
        bodies, number = [], 1
        while True:
            body = client.get(url, {**query, param: number}).content.decode()
            bodies.append(body)
            if f"{param}={number + 1}" not in body:
                return bodies
            number += 1

    first = client.get(url).content.decode()
    assert "<strong>30</strong> ingediend" in first
    assert "<strong>31</strong> niet begonnen" in first
    assert "Scholen 1 tot en met 25 van 91." in first
    schools = pages("scholen")
    assert len(schools) == 4 and " open>" in schools[0]
    assert sum(body.count("text-bg-success") for body in schools) == 30

    needs = pages("behoeften", doel="thuiszitters")
    assert "Behoeften 1 tot en met 25 van 30; het Excel-bestand bevat ze allemaal." in needs[0]
    listed = re.findall(r"Behoefte (\d+)</li>", "".join(needs))
    assert sorted(map(int, listed)) == list(range(0, 90, 3))
    assert re.search(r"doel=thuiszitters#behoeften\">[^<]*<span[^>]*>30</span>", first)

    remarks = pages("teksten")
    listed = re.findall(r"Opmerking (\d+)</p>", "".join(remarks))
    assert sorted(map(int, listed)) == list(range(0, 90, 3))


def test_picture_page_costs_the_same_queries_for_many_schools(client, world, needs_round):
    client.force_login(world.middelburg.policy_officer)
    url = reverse("schools:picture", args=[needs_round.pk])
    add_schools(world, needs_round, 3)
    counts = []
    for more in (0, 60):
        add_schools(world, needs_round, more)
        client.get(url)  # the overview is cached
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_delays_table_names_each_domain_once_with_its_sectors(client, world, needs_round):
    """The delays' rows come from a template tag (issue 32): the domain on its first row
    only, then per sector the schools, the schools per severity and the mean share."""
    po = world.middelburg.school
    so = SchoolFactory(municipality=po.municipality, board=po.board, sector=Sector.SO)
    for school, delays in (
        (po, {"rekenen": ("ernstig", 40), "taal_lezen": ("beperkt", 10)}),
        (so, {"rekenen": ("aanzienlijk", 21)}),
    ):
        NeedsAnswerFactory(round=needs_round, school=school, submitted=True, delays=delays)
    client.force_login(world.middelburg.policy_officer)
    html = client.get(reverse("schools:picture", args=[needs_round.pk])).content.decode()
    table = html[html.index('id="vertragingen"') :]
    body = table[table.index("<tbody>") + len("<tbody>") : table.index("</tbody>")]
    rows = [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>.*?</td>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]
    assert rows == [
        ["Taal en lezen", "Primair onderwijs (po)", "1", "0", "1", "0", "0", "10%"],
        ["Rekenen", "Primair onderwijs (po)", "1", "0", "0", "0", "1", "40%"],
        ["", "Speciaal onderwijs (so)", "1", "0", "0", "1", "0", "21%"],
    ]


def test_a_page_of_texts_and_needs_shows_each_with_its_school_and_reads_no_more(
    client, world, needs_round
):
    """An own question's answers, the remarks and a goal's needs, each under its school's
    name, escaped; the rows of these pages read the text and the school's name only (issue
    32: whole answers and schools cost the largest municipality a third more per page)."""
    question = RoundQuestion.objects.create(round=needs_round, text="Wat helpt het meest?")
    answer = NeedsAnswerFactory(
        round=needs_round,
        school=world.middelburg.school,
        submitted=True,
        needs=[("Schoolmaatschappelijk werk", ["zorg_welzijn"])],
        free_text="Ouders <zijn> moeilijk te bereiken.",
    )
    QuestionAnswer.objects.create(answer=answer, question=question, text="Meer handen.")
    client.force_login(world.middelburg.policy_officer)
    url = reverse("schools:picture", args=[needs_round.pk])
    school = world.middelburg.school.name
    queries = []

    def capture(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        own = client.get(url, {"vraag": question.pk}).content.decode()
    assert re.search(rf"Meer handen\.</p><footer[^>]*>{re.escape(school)}</footer>", own)
    remarks = client.get(url, {"vraag": "overig"}).content.decode()
    assert "Ouders &lt;zijn&gt; moeilijk te bereiken.</p><footer" in remarks
    needs = client.get(url, {"doel": "zorg_welzijn"}).content.decode()
    assert f"<li><strong>{school}</strong>: Schoolmaatschappelijk werk</li>" in needs
    (texts,) = [sql for sql in queries if 'FROM "schools_questionanswer"' in sql and "LIMIT" in sql]
    assert '"schools_school"."name"' in texts and '"schools_school"."brin"' not in texts
    assert '"schools_needsanswer"."free_text"' not in texts
