"""The golden thread on a world worked out by hand: three schools, two interventions, one
unmet need; the selector, the page, the plan's PDF annex and the XLSX agree with it."""

import re
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.cache import cache
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from accounts.factories import UserFactory
from accounts.models import Role
from auditing.factories import AuditorGrantFactory
from finance.factories import ExpenditureFactory
from insight import views
from insight.selectors import goal_summary, golden_thread, thread_counts
from plans.factories import InterventionFactory, PlanFactory, goal
from plans.models import InterventionBudget, SchoolReach
from schools.factories import NeedsAnswerFactory, NeedsRoundFactory, SchoolFactory
from schools.models import DelayAssessment, NeedRequest
from tests.pdftext import pdf_text

D = Decimal


def n(value):
    """A number as the spreadsheet holds it, as an exact Decimal (XLSX stores floats)."""
    return D(str(value)).quantize(D("0.01")) if isinstance(value, int | float) else value


@pytest.fixture
def hand_made(world):
    """Middelburg: school A (the world's), B and C.
    - A needs a summer school (goal 1), B school social work (goal 3), C help bringing
      children into pre-school (goal 2).
    - I-1 summer school (goal 1) reaches A (planned 30, reported 25) and B (planned 10):
      spent 1,000.00 + 333.33 = 1,333.33, shared 30:10 = 1,000.00 and 333.33
      (133,333 cents * 3/4 = 99,999.75 → 99,999 + the one cent left = 100,000).
    - I-2 school social work (goal 3) reaches B and C without planned reach per school:
      spent 500.01, shared evenly 250.01 (B, the first remainder) and 250.00 (C); reported
      reach 40 + 10 = 50, so 500.01 / 50 = 10.00 per pupil.
    - 200.00 spent on extra capacity, not on an intervention.
    Per school: A 1,000.00, B 333.33 + 250.01 = 583.34, C 250.00; together 1,833.34.
    Unmet: C's pre-school need (no goal-2 intervention reaches C). I-1 answers A's need
    and I-2 B's, so no intervention is without a need."""
    mdb = world.middelburg
    a = mdb.school
    b = SchoolFactory(name="De Linde", brin="11LI", municipality=mdb.municipality, board=mdb.board)
    c = SchoolFactory(name="De Wilg", brin="11WI", municipality=mdb.municipality, board=mdb.board)
    needs_round = NeedsRoundFactory(municipality=mdb.municipality, closed=True)
    for school, text, code, domain, severity in (
        (a, "Zomerschool voor groep 7", "bovenschools", "taal_lezen", "ernstig"),
        (b, "Schoolmaatschappelijk werk", "zorg_welzijn", "sociaal_emotioneel", "aanzienlijk"),
        (c, "Toeleiding naar de voorschool", "voorschools", "taal_lezen", "beperkt"),
    ):
        answer = NeedsAnswerFactory(round=needs_round, school=school, submitted=True)
        answer.delays.all().delete()
        answer.needs.all().delete()
        DelayAssessment.objects.create(
            answer=answer, domain=domain, severity=severity, share_of_pupils=20
        )
        NeedRequest.objects.create(answer=answer, description=text).goals.add(goal(code))
    plan = PlanFactory(municipality=mdb.municipality)
    summer = InterventionFactory(plan=plan, code="I-1", title="Zomerschool", planned_reach=40)
    social = InterventionFactory(
        plan=plan,
        code="I-2",
        title="Schoolmaatschappelijk werk",
        goal=goal("zorg_welzijn"),
        planned_reach=60,
    )
    summer.schools.set([a, b])
    social.schools.set([b, c])
    SchoolReach.objects.create(intervention=summer, school=a, planned=30, reported=25)
    SchoolReach.objects.create(intervention=summer, school=b, planned=10)
    SchoolReach.objects.create(intervention=social, school=b, reported=40)
    SchoolReach.objects.create(intervention=social, school=c, reported=10)
    InterventionBudget.objects.create(intervention=summer, year=2022, amount=D("1500.00"))
    InterventionBudget.objects.create(intervention=social, year=2022, amount=D("600.00"))
    for amount, intervention, code in (
        ("1000.00", summer, "bovenschools"),
        ("333.33", summer, "bovenschools"),
        ("500.01", social, "zorg_welzijn"),
        ("200.00", None, "capaciteit"),
    ):
        ExpenditureFactory(
            municipality=mdb.municipality,
            amount=D(amount),
            intervention=intervention,
            goal=goal(code),
        )
    return {"a": a, "b": b, "c": c, "plan": plan, "summer": summer, "social": social}


def test_the_selector_gives_the_figures_worked_out_by_hand(hand_made):
    thread = golden_thread(municipality=hand_made["a"].municipality)
    per_school = {row.school.name: row for row in thread.schools}
    assert [row.school.name for row in thread.schools] == [
        "Basisschool Middelburg (Z.)",
        "De Linde",
        "De Wilg",
    ]
    assert {name: row.spent for name, row in per_school.items()} == {
        "Basisschool Middelburg (Z.)": D("1000.00"),
        "De Linde": D("583.34"),
        "De Wilg": D("250.00"),
    }
    assert [(s.intervention.code, s.amount) for s in per_school["De Linde"].interventions] == [
        ("I-1", D("333.33")),
        ("I-2", D("250.01")),
    ]
    assert thread.spent_on_schools == D("1833.34")
    assert thread.spent == D("2033.34")
    assert thread.not_on_intervention == D("200.00")
    assert thread.spent_on_interventions_without_school == D("0.00")
    assert [(u.school.name, u.need.description, u.goal.code) for u in thread.unmet_needs] == [
        ("De Wilg", "Toeleiding naar de voorschool", "voorschools"),
    ]
    assert thread.interventions_without_need == []
    summer, social = thread.interventions
    assert (summer.shared_by_reach, social.shared_by_reach) == (True, False)
    assert (summer.planned_reach, summer.reported_reach) == (40, 25)
    assert (social.planned_reach, social.reported_reach) == (60, 50)
    assert (summer.budget, summer.spent) == (D("1500.00"), D("1333.33"))
    assert (social.budget, social.spent) == (D("600.00"), D("500.01"))
    assert summer.cost_per_pupil == D("53.33")  # 1,333.33 / 25
    assert social.cost_per_pupil == D("10.00")  # 500.01 / 50


def test_an_intervention_reaching_no_school_with_its_need_is_named(hand_made):
    hand_made["social"].schools.set([hand_made["a"]])  # A reported only a goal-1 need
    thread = golden_thread(municipality=hand_made["a"].municipality)
    assert [row.intervention.code for row in thread.interventions_without_need] == ["I-2"]
    # B's social-work need is now unmet as well.
    assert {(u.school.name, u.goal.code) for u in thread.unmet_needs} == {
        ("De Wilg", "voorschools"),
        ("De Linde", "zorg_welzijn"),
    }


def test_the_page_shows_the_same_figures(client, hand_made, world):
    client.force_login(world.middelburg.policy_officer)
    response = client.get(reverse("insight:golden-thread", args=["GM0687"]))
    assert response.status_code == 200
    text = re.sub(r"\s+", " ", response.content.decode())
    for figure in ("€ 1.000,00", "€ 583,34", "€ 250,00", "€ 1.833,34", "€ 2.033,34", "€ 53,33"):
        assert figure in text
    assert "Toeleiding naar de voorschool (2. Voorschoolse periode)" in text


def test_the_xlsx_holds_the_same_figures(client, hand_made, world):
    client.force_login(world.middelburg.finance_officer)
    response = client.get(reverse("insight:golden-thread-xlsx", args=["GM0687"]))
    workbook = load_workbook(BytesIO(response.content))
    schools, interventions, unmet = workbook.worksheets
    shares = [(r[0], r[5], n(r[6])) for r in schools.iter_rows(min_row=2, values_only=True)]
    assert shares == [
        ("Basisschool Middelburg (Z.)", "I-1 Zomerschool", D("1000.00")),
        ("De Linde", "I-1 Zomerschool", D("333.33")),
        ("De Linde", "I-2 Schoolmaatschappelijk werk", D("250.01")),
        ("De Wilg", "I-2 Schoolmaatschappelijk werk", D("250.00")),
    ]
    rows = list(interventions.iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[2], r[3], r[4], n(r[5]), n(r[6]), n(r[7])) for r in rows] == [
        ("I-1 Zomerschool", 2, 40, 25, D("1500.00"), D("1333.33"), D("53.33")),
        ("I-2 Schoolmaatschappelijk werk", 2, 60, 50, D("600.00"), D("500.01"), D("10.00")),
    ]
    assert list(unmet.iter_rows(min_row=2, values_only=True)) == [
        (
            "De Wilg",
            hand_made["c"].code,
            "Toeleiding naar de voorschool",
            "2. Voorschoolse periode",
        ),
    ]


def _counted_in_python(municipality):
    thread = golden_thread(municipality=municipality, money=False)
    return (len(thread.schools), len(thread.unmet_needs), len(thread.interventions_without_need))


def _counted_by_the_database(municipality):
    counts = thread_counts(municipality=municipality)
    return (counts.schools, counts.unmet_needs, counts.interventions_without_need)


def test_the_counts_the_database_makes_are_those_of_the_thread(hand_made, world):
    """`thread_counts` (the plan page's summary) counts in SQL what the thread lists: after
    each change, both ways of counting agree."""
    municipality = hand_made["a"].municipality
    assert _counted_by_the_database(municipality) == _counted_in_python(municipality) == (3, 1, 0)
    hand_made["social"].schools.set([hand_made["a"]])
    assert _counted_by_the_database(municipality) == _counted_in_python(municipality) == (3, 2, 1)
    # A later round's answer replaces C's: two needs, one in a goal I-1 answers (but I-1
    # does not reach C), and one in two goals at once.
    later = NeedsRoundFactory(municipality=municipality)
    answer = NeedsAnswerFactory(round=later, school=hand_made["c"], submitted=True)
    answer.needs.all().delete()
    NeedRequest.objects.create(answer=answer, description="Zomerschool").goals.add(
        goal("bovenschools")
    )
    NeedRequest.objects.create(answer=answer, description="Beide").goals.add(
        goal("bovenschools"), goal("zorg_welzijn")
    )
    assert _counted_by_the_database(municipality) == _counted_in_python(municipality)
    hand_made["summer"].schools.add(hand_made["c"])
    hand_made["social"].schools.add(hand_made["c"])
    assert _counted_by_the_database(municipality) == _counted_in_python(municipality)
    # A draft in a still later round counts for nothing; another municipality's school
    # reached by the plan counts for nothing either.
    NeedsAnswerFactory(round=NeedsRoundFactory(municipality=municipality), school=hand_made["b"])
    hand_made["summer"].schools.add(world.vlissingen.school)
    assert _counted_by_the_database(municipality) == _counted_in_python(municipality)


def _said_by_the_rows(thread):
    """What the thread's rows per school say about all schools, built row by row."""
    rows = list(thread.schools)
    goals = {row.school.pk: {g.pk for line in row.needs for g in line.goals} for row in rows}
    return {
        "unmet": [
            (row.school.pk, line.need.pk, goal.pk)
            for row in rows
            for line in row.needs
            for goal in line.unmet_goals
        ],
        "need goals": {school: ids for school, ids in goals.items() if ids},
        "spent on schools": sum((row.spent for row in rows), D("0.00")),
        "answers a need": [
            any(i.intervention.goal_id in goals.get(s.pk, set()) for s in i.schools)
            for i in thread.interventions
        ],
    }


def _said_over_all_schools(thread):
    """The same, as the thread says it without building a row per school."""
    return {
        "unmet": [(u.school.pk, u.need.pk, u.goal.pk) for u in thread.unmet_needs],
        "need goals": {
            school: {g.pk for g in goals} for school, goals in thread.need_goals.items()
        },
        "spent on schools": thread.spent_on_schools,
        "answers a need": [i.answers_a_need for i in thread.interventions],
    }


def test_what_the_thread_says_over_all_schools_is_what_its_rows_say(hand_made, world):
    """The unmet needs, the needs' goals per school (the summary per goal), what was spent at
    the schools and which interventions answer a need come without a row per school (issue
    32); after each change they are what the rows, built one by one, say."""
    municipality = hand_made["a"].municipality

    def check():
        thread = golden_thread(municipality=municipality)
        assert _said_over_all_schools(thread) == _said_by_the_rows(thread)
        return thread

    thread = check()
    assert len(thread.unmet_needs) == 1 and thread.spent_on_schools == D("1833.34")
    hand_made["social"].schools.set([hand_made["a"]])
    check()
    later = NeedsRoundFactory(municipality=municipality)
    answer = NeedsAnswerFactory(round=later, school=hand_made["c"], submitted=True)
    answer.needs.all().delete()
    NeedRequest.objects.create(answer=answer, description="Beide").goals.add(
        goal("bovenschools"), goal("zorg_welzijn")
    )
    NeedRequest.objects.create(answer=answer, description="Zonder doel")
    thread = check()
    assert len(thread.unmet_needs) == 3
    hand_made["summer"].schools.add(hand_made["c"], world.vlissingen.school)
    SchoolReach.objects.create(
        intervention=hand_made["summer"], school=world.vlissingen.school, planned=5
    )
    thread = check()
    # Vlissingen's school gets a share, which is not spent at the grant's own schools.
    assert thread.spent_on_schools < thread.spent - thread.not_on_intervention
    NeedsAnswerFactory(round=NeedsRoundFactory(municipality=municipality), school=hand_made["b"])
    check()


def test_a_slice_of_the_schools_builds_those_rows_only(hand_made, world, monkeypatch):
    import sys

    module = sys.modules["insight.selectors.golden_thread"]
    built = []
    latest_answers = module._latest_answers

    def counting(latest_ids, schools, **kwargs):
        built.append([school.name for school in schools])
        return latest_answers(latest_ids, schools, **kwargs)

    monkeypatch.setattr(module, "_latest_answers", counting)
    thread = golden_thread(municipality=hand_made["a"].municipality)
    assert len(thread.schools) == 3 and thread.unmet_needs and thread.need_goals
    assert built == []
    page = thread.schools[1:3]
    assert [row.school.name for row in page] == ["De Linde", "De Wilg"]
    assert built == [["De Linde", "De Wilg"]]
    assert thread.schools[-1].school.name == "De Wilg"
    with pytest.raises(IndexError):
        thread.schools[3]
    whole = list(thread.schools)
    assert [row.school.name for row in whole][1:] == ["De Linde", "De Wilg"]
    assert [(s.intervention.code, s.amount) for s in whole[1].interventions] == [
        (s.intervention.code, s.amount) for s in page[0].interventions
    ]
    list(thread.schools)  # built once
    assert len(built) == 4 and len(built[-1]) == 3


def test_the_counts_take_four_queries_however_many_schools(hand_made, world):
    municipality = hand_made["a"].municipality
    with CaptureQueriesContext(connection) as small:
        thread_counts(municipality=municipality)
    needs_round = hand_made["a"].needs_answers.first().round
    for _index in range(10):
        school = SchoolFactory(municipality=municipality, board=world.middelburg.board)
        hand_made["summer"].schools.add(school)
        NeedsAnswerFactory(round=needs_round, school=school, submitted=True)
    with CaptureQueriesContext(connection) as large:
        counts = thread_counts(municipality=municipality)
    assert counts.schools == 13
    assert len(small.captured_queries) == len(large.captured_queries) == 4
    members = [municipality.pk]
    with CaptureQueriesContext(connection) as given:
        assert thread_counts(municipality=municipality, members=members) == counts
    assert len(given.captured_queries) == 3


def test_the_plan_page_counts_without_a_row_per_school_and_its_queries_stay_the_same(
    client, hand_made, world, monkeypatch
):
    """Cold, the plan page's golden-thread and needs summaries are counted by the database:
    neither the thread's rows nor the municipal picture are built, and ten more schools with
    their needs cost no query more."""
    import sys

    import schools.selectors.picture

    def not_here(*args, **kwargs):
        raise AssertionError("built row by row")

    # The thread's rows start from each school's latest answer.
    monkeypatch.setattr(sys.modules["insight.selectors.golden_thread"], "_latest_answers", not_here)
    monkeypatch.setattr(schools.selectors.picture, "municipal_picture", not_here)
    mdb = world.middelburg
    url = reverse("plans:detail", args=[hand_made["plan"].pk])
    client.force_login(mdb.policy_officer)

    def cold_queries() -> int:
        cache.clear()
        client.force_login(mdb.policy_officer)  # the session lives in the cache
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries.captured_queries)

    small = cold_queries()
    needs_round = hand_made["a"].needs_answers.first().round
    for _index in range(10):
        school = SchoolFactory(municipality=mdb.municipality, board=mdb.board)
        hand_made["summer"].schools.add(school)
        answer = NeedsAnswerFactory(round=needs_round, school=school, submitted=True)
        NeedRequest.objects.create(answer=answer, description="Meer").goals.add(goal("voorschools"))
    assert cold_queries() == small
    body = re.sub(r"\s+", " ", client.get(url).content.decode())
    assert "13 schoollocaties" in body
    assert "11 behoeften die geen interventie beantwoordt" in body


def test_the_plan_page_summarises_and_links_and_the_pdf_has_the_annex(client, hand_made, world):
    client.force_login(world.middelburg.policy_officer)
    page = client.get(reverse("plans:detail", args=[hand_made["plan"].pk])).content.decode()
    assert reverse("insight:golden-thread", args=["GM0687"]) in page
    assert "1 behoefte die geen interventie beantwoordt" in re.sub(r"\s+", " ", page)
    pdf = client.get(reverse("plans:pdf", args=[hand_made["plan"].pk])).content
    text = re.sub(r"\s+", " ", pdf_text(pdf))
    assert "Bijlage: van behoefte via maatregel naar euro" in text
    for figure in ("€ 1.000,00", "€ 583,34", "€ 250,00", "€ 1.833,34", "€ 53,33", "€ 10,00"):
        assert figure in text
    assert "Toeleiding naar de voorschool" in text


def test_the_auditor_reads_the_golden_thread_and_a_school_board_does_not(client, hand_made, world):
    auditor = UserFactory(
        username="mdb-accountant", role=Role.AUDITOR, municipality=world.middelburg.municipality
    )
    AuditorGrantFactory(municipality=world.middelburg.municipality, auditor=auditor)
    client.force_login(auditor)
    assert client.get(reverse("insight:golden-thread", args=["GM0687"])).status_code == 200
    client.force_login(world.middelburg.board_user)
    assert client.get(reverse("insight:golden-thread", args=["GM0687"])).status_code in (403, 404)


def test_the_query_count_does_not_grow_with_the_schools(client, hand_made, world):
    mdb = world.middelburg
    client.force_login(mdb.policy_officer)
    url = reverse("insight:golden-thread", args=["GM0687"])
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    cache.clear()  # the money from scratch both times (schools are not what it is cached by)
    # The session lives in the cache too (cached_db): put it back, as bench/pages.py --cold
    # does, so that reading it from the database is not counted as the page's.
    client.force_login(mdb.policy_officer)
    for _index in range(10):
        school = SchoolFactory(municipality=mdb.municipality, board=mdb.board)
        hand_made["summer"].schools.add(school)
        NeedsAnswerFactory(
            round=hand_made["a"].needs_answers.first().round, school=school, submitted=True
        )
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    cache.clear()
    client.force_login(mdb.policy_officer)
    with CaptureQueriesContext(connection) as later_page:
        client.get(url, {"scholen": 2, "interventies": 2})
    assert len(large.captured_queries) == len(small.captured_queries) <= 40
    assert len(later_page.captured_queries) == len(small.captured_queries)


def test_the_summary_per_goal_adds_up_to_the_detail_and_the_xlsx(client, hand_made, world):
    goals, total = goal_summary(golden_thread(municipality=hand_made["a"].municipality))
    assert [
        (g.goal.code, g.schools_with_need, g.unmet_needs, g.interventions, g.budget, g.spent)
        for g in goals
    ] == [
        ("bovenschools", 1, 0, 1, D("1500.00"), D("1333.33")),
        ("voorschools", 1, 1, 0, D("0.00"), D("0.00")),
        ("zorg_welzijn", 1, 0, 1, D("600.00"), D("500.01")),
    ]
    assert (total.schools_with_need, total.unmet_needs, total.interventions) == (3, 1, 2)
    assert (total.budget, total.spent) == (D("2100.00"), D("1833.34"))

    client.force_login(world.middelburg.policy_officer)
    page = client.get(reverse("insight:golden-thread", args=["GM0687"])).content.decode()
    summary = re.sub(
        r"\s+", " ", page.split('id="draad-samenvatting"')[1].split('id="draad-scholen"')[0]
    )
    for figure in ("Alle doelen", "€ 2.100,00", "€ 1.833,34", "€ 2.033,34"):
        assert figure in summary
    xlsx = client.get(reverse("insight:golden-thread-xlsx", args=["GM0687"])).content
    rows = list(load_workbook(BytesIO(xlsx))["Interventies"].iter_rows(min_row=2, values_only=True))
    assert sum(n(r[5]) for r in rows) == total.budget
    assert sum(n(r[6]) for r in rows) == total.spent


def detail_section(page: str, anchor: str, end: str) -> str:
    """The page from the heading `anchor` up to the element with id `end`, or the main end."""
    section = page.split(f'id="{anchor}"')[1]
    return re.sub(r"\s+", " ", section.split(f'id="{end}"' if end else "</main>")[0])


def test_many_interventions_come_fifty_to_a_page_and_the_next_page_has_the_rest(
    client, hand_made, world
):
    InterventionFactory.create_batch(53, plan=hand_made["plan"])  # 55 in all
    client.force_login(world.middelburg.policy_officer)
    url = reverse("insight:golden-thread", args=["GM0687"])
    first = client.get(url)
    section = detail_section(first.content.decode(), "draad-interventies", "")
    assert "Interventies 1 tot en met 50 van 55; het spreadsheet bevat ze allemaal." in section
    assert section.count("<tr>") == 1 + 50  # the header and a page of rows
    assert "?interventies=2#draad-interventies" in section
    assert "Volgende pagina" in section and "Vorige pagina" not in section

    second = client.get(url, {"interventies": 2})
    section = detail_section(second.content.decode(), "draad-interventies", "")
    assert "Interventies 51 tot en met 55 van 55" in section
    assert section.count("<tr>") == 1 + 5
    assert "Vorige pagina" in section and "Volgende pagina" not in section

    shown = [
        row.intervention.code
        for response in (first, second)
        for row in response.context["intervention_pager"]["page"]
    ]
    xlsx = client.get(reverse("insight:golden-thread-xlsx", args=["GM0687"])).content
    listed = load_workbook(BytesIO(xlsx))["Interventies"].iter_rows(min_row=2, values_only=True)
    assert [
        str(r.intervention)
        for r in golden_thread(municipality=hand_made["a"].municipality).interventions
    ] == [row[0] for row in listed]
    assert len(shown) == len(set(shown)) == 55


def test_the_schools_come_a_page_at_a_time_with_the_total_of_all(
    client, hand_made, world, monkeypatch
):
    monkeypatch.setattr(views, "SCHOOLS_PER_PAGE", 2)
    client.force_login(world.middelburg.policy_officer)
    url = reverse("insight:golden-thread", args=["GM0687"])
    first = detail_section(client.get(url).content.decode(), "draad-scholen", "draad-dekking")
    assert "Scholen 1 tot en met 2 van 3" in first
    assert "De Linde" in first and "De Wilg" not in first
    # The other table keeps its page when the schools page on.
    second = client.get(url, {"scholen": 2, "interventies": 1}).content.decode()
    section = detail_section(second, "draad-scholen", "draad-dekking")
    assert "Scholen 3 tot en met 3 van 3" in section
    assert "De Wilg" in section and "De Linde" not in section
    assert "?scholen=1&amp;interventies=1#draad-scholen" in section
    for page in (first, section):
        text = re.sub(r"<[^>]+>", "", page)
        assert "Besteed aan interventies op alle scholen (alle pagina's)€ 1.833,34" in text


@pytest.mark.parametrize("asked, shown", [("abc", 1), ("0", 3), ("999", 3), ("", 1)])
def test_a_page_number_out_of_range_gives_a_page_that_exists(
    client, hand_made, world, monkeypatch, asked, shown
):
    monkeypatch.setattr(views, "SCHOOLS_PER_PAGE", 1)
    client.force_login(world.middelburg.policy_officer)
    response = client.get(reverse("insight:golden-thread", args=["GM0687"]), {"scholen": asked})
    assert response.status_code == 200
    assert response.context["school_pager"]["page"].number == shown


def test_paging_reaches_no_other_municipality(client, hand_made, world):
    client.force_login(world.vlissingen.policy_officer)
    url = reverse("insight:golden-thread", args=["GM0687"])
    assert client.get(url, {"scholen": 2, "interventies": 2}).status_code in (403, 404)


def test_long_lists_are_folded_on_the_page_but_not_in_the_annex(client, hand_made, world):
    extra = InterventionFactory.create_batch(3, plan=hand_made["plan"])
    for intervention in extra:
        intervention.schools.add(hand_made["b"])  # De Linde: five interventions
    client.force_login(world.middelburg.policy_officer)
    page = client.get(reverse("insight:golden-thread", args=["GM0687"])).content.decode()
    assert "<summary>5 interventies</summary>" in page
    assert "<summary>1 behoefte die geen interventie beantwoordt</summary>" in page
    annex = render_to_string(
        "insight/plan_annex.html",
        {"extension": {"thread": golden_thread(municipality=hand_made["a"].municipality)}},
    )
    assert "<details" not in annex and "Pagina" not in annex
