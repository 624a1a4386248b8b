"""The cached needs picture and the plan page's golden-thread summary are never older than
what they show: after every kind of write the page served from the cache is the page
rendered from scratch."""

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from insight.selectors import golden_thread
from plans.factories import InterventionFactory, PlanFactory, goal
from plans.models import MenuItem, SchoolReach
from schools.factories import NeedsAnswerFactory, NeedsRoundFactory, SchoolFactory
from schools.models import (
    AnswerStatus,
    DelayAssessment,
    NeedRequest,
    NeedsAnswer,
    QuestionAnswer,
    RoundQuestion,
)

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


@pytest.fixture
def needs(world):
    """Middelburg's round with the world's school submitted (a need for a summer school),
    a second school with a draft, an own question, and a plan whose intervention reaches
    neither school."""
    mdb = world.middelburg
    needs_round = NeedsRoundFactory(municipality=mdb.municipality, title="Peiling 2023")
    question = RoundQuestion.objects.create(round=needs_round, text="Wat wilt u nog kwijt?")
    answer = NeedsAnswerFactory(
        round=needs_round,
        school=mdb.school,
        submitted=True,
        needs=[("Zomerschool voor groep 7", ["bovenschools"])],
    )
    QuestionAnswer.objects.create(answer=answer, question=question, text="Meer handen.")
    second = SchoolFactory(name="De Linde", municipality=mdb.municipality, board=mdb.board)
    NeedsAnswerFactory(round=needs_round, school=second)
    plan = PlanFactory(municipality=mdb.municipality)
    intervention = InterventionFactory(plan=plan, goal=goal("bovenschools"))
    return {
        "world": world,
        "round": needs_round,
        "answer": answer,
        "second": second,
        "plan": plan,
        "intervention": intervention,
    }


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return CSRF.sub("", response.content.decode())


def _new_school(n):
    SchoolFactory(name="De Wilg", municipality=n["world"].middelburg.municipality)


def _school_renamed(n):
    n["second"].name = "De Linde (nieuw gebouw)"
    n["second"].save()


def _board_renamed(n):
    board = n["world"].middelburg.board
    board.name = "Stichting Nieuwe Naam"
    board.save()


def _submitted(n):
    NeedsAnswer.objects.filter(school=n["second"]).update(status=AnswerStatus.SUBMITTED)


def _delay_changed(n):
    DelayAssessment.objects.filter(answer=n["answer"]).update(share_of_pupils=55)


def _need_added(n):
    need = NeedRequest.objects.create(answer=n["answer"], description="Huiswerkbegeleiding")
    need.goals.add(goal("bovenschools"))


def _need_goal_added(n):
    NeedRequest.objects.get(answer=n["answer"]).goals.add(goal("zorg_welzijn"))


def _menu_item(n):
    n["answer"].menu_items.add(MenuItem.objects.order_by("pk").first())


def _question_answer(n):
    QuestionAnswer.objects.filter(answer=n["answer"]).update(text="Minder papier.")


def _round_question(n):
    RoundQuestion.objects.create(round=n["round"], text="Welke scholen werken samen?")


def _round_renamed(n):
    n["round"].title = "Peiling najaar 2023"
    n["round"].save()


def _free_text(n):
    NeedsAnswer.objects.filter(pk=n["answer"].pk).update(free_text="Dank voor de moeite.")


PICTURE_WRITES = {
    "new school": _new_school,
    "school renamed": _school_renamed,
    "board renamed": _board_renamed,
    "answer submitted": _submitted,
    "delay changed": _delay_changed,
    "need added": _need_added,
    "need's goal added": _need_goal_added,
    "menu item": _menu_item,
    "answer to an own question": _question_answer,
    "own question added": _round_question,
    "round renamed": _round_renamed,
    "free text": _free_text,
}


@pytest.mark.parametrize("write", PICTURE_WRITES.values(), ids=PICTURE_WRITES.keys())
def test_the_cached_needs_picture_follows_every_write(client, needs, write):
    client.force_login(needs["world"].middelburg.policy_officer)
    url = reverse("schools:picture", args=[needs["round"].pk])
    before = page(client, url)
    assert page(client, url) == before  # from the cache now

    write(needs)

    after = page(client, url)
    assert after != before
    cache.clear()
    assert after == page(client, url)


def _reaches_the_school(n):
    n["intervention"].schools.add(n["world"].middelburg.school)


def _reach_recorded(n):
    n["intervention"].schools.add(n["world"].middelburg.school)
    cache.clear()  # this test is about the reach row alone
    SchoolReach.objects.create(
        intervention=n["intervention"], school=n["world"].middelburg.school, planned=12
    )


def _intervention_goal(n):
    n["intervention"].schools.add(n["world"].middelburg.school)
    n["intervention"].goal = goal("zorg_welzijn")
    n["intervention"].save()


def _school_gone(n):
    n["second"].municipality = n["world"].vlissingen.municipality
    n["second"].save()


THREAD_WRITES = {
    "an intervention reaches the school": _reaches_the_school,
    "its reach is recorded": _reach_recorded,
    "the intervention's goal changes": _intervention_goal,
    "need added": _need_goal_added,
    "a school moves away": _school_gone,
}


@pytest.mark.parametrize("write", THREAD_WRITES.values(), ids=THREAD_WRITES.keys())
def test_the_plan_pages_golden_thread_summary_follows_every_write(client, needs, write):
    municipality = needs["world"].middelburg.municipality
    client.force_login(needs["world"].middelburg.policy_officer)
    url = reverse("plans:detail", kwargs={"pk": needs["plan"].pk})
    page(client, url)

    write(needs)

    thread = golden_thread(municipality=municipality, money=False)
    body = page(client, url)
    for count, text in (
        (len(thread.schools), "schoollocatie"),
        (len(thread.unmet_needs), "die geen interventie beantwoordt"),
        (len(thread.interventions_without_need), "bereik"),
    ):
        assert re.search(rf"<li>{count} [^<]*{text}", body), (count, text)
    cache.clear()
    assert body == page(client, url)


@pytest.mark.parametrize("where", ["schools:picture", "schools:round-detail"])
def test_a_school_without_an_answer_renamed_or_moved_to_another_board_shows_at_once(
    client, needs, where
):
    """The school's own municipality is logged (migration 0005), not only the rounds it
    answered: a school that never answered still changes the cached picture's key."""
    from accounts.factories import SchoolBoardFactory
    from schools.selectors import needs_changes

    mdb = needs["world"].middelburg
    quiet = SchoolFactory(name="De Esch", municipality=mdb.municipality, board=mdb.board)
    client.force_login(mdb.policy_officer)
    url = reverse(where, args=[needs["round"].pk]) + "?scholen=1"
    assert "De Esch" in page(client, url)
    before = needs_changes(municipality_ids=[mdb.municipality.pk])

    quiet.name = "De Es (verhuisd)"
    quiet.save()
    assert needs_changes(municipality_ids=[mdb.municipality.pk]) > before
    body = page(client, url)
    assert "De Es (verhuisd)" in body and "De Esch" not in body

    quiet.board = SchoolBoardFactory(name="Stichting Elders")
    quiet.save()
    assert "Stichting Elders" in page(client, url)


def _spent_on_it(n):
    from finance.factories import ExpenditureFactory

    n["intervention"].schools.add(n["world"].middelburg.school)
    cache.clear()  # this test is about the expenditure alone
    ExpenditureFactory(
        municipality=n["world"].middelburg.municipality,
        intervention=n["intervention"],
        goal=n["intervention"].goal,
    )


GOLDEN_THREAD_PAGE_WRITES = {
    **THREAD_WRITES,
    "school renamed": _school_renamed,
    "an expenditure on the intervention": _spent_on_it,
}


@pytest.mark.parametrize(
    "write", GOLDEN_THREAD_PAGE_WRITES.values(), ids=GOLDEN_THREAD_PAGE_WRITES.keys()
)
def test_the_cached_golden_thread_page_follows_every_write(client, needs, write):
    """The golden thread's body is cached under the thread's data versions: after a write
    the page is the page rendered from scratch."""
    client.force_login(needs["world"].middelburg.policy_officer)
    url = reverse("insight:golden-thread", args=[needs["world"].middelburg.municipality.code])
    before = page(client, url)
    assert page(client, url) == before  # from the cache now

    write(needs)

    after = page(client, url)
    assert after != before
    cache.clear()
    client.force_login(needs["world"].middelburg.policy_officer)
    assert after == page(client, url)
