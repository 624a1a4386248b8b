import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.factories import SchoolBoardFactory
from plans.factories import goal
from plans.models import MenuItem
from schools import services
from schools.factories import NeedsAnswerFactory, NeedsRoundFactory, SchoolFactory
from schools.models import AnswerEventKind, AnswerStatus, Domain, NeedsAnswer, NeedsRound


def answer_post(*, submit: bool = False, questions: dict | None = None, **overrides) -> dict:
    data = {
        "vertraging-TOTAL_FORMS": "6",
        "vertraging-INITIAL_FORMS": "0",
        "vertraging-MIN_NUM_FORMS": "6",
        "vertraging-MAX_NUM_FORMS": "6",
        "behoefte-TOTAL_FORMS": "2",
        "behoefte-INITIAL_FORMS": "0",
        "behoefte-MIN_NUM_FORMS": "0",
        "behoefte-MAX_NUM_FORMS": "1000",
        "behoefte-0-description": "Zomerschool voor groep 6 en 7",
        "behoefte-0-goals": [str(goal("bovenschools").pk), str(goal("zorg_welzijn").pk)],
        "behoefte-1-description": "",
        "menu_items": [str(MenuItem.objects.get(name="Feedback").pk)],
        "free_text": "Veel verzuim na de lockdowns.",
    }
    for index, domain in enumerate(Domain.values):
        data[f"vertraging-{index}-domain"] = domain
        data[f"vertraging-{index}-severity"] = "aanzienlijk" if domain != "anders" else ""
        data[f"vertraging-{index}-share_of_pupils"] = "25" if domain != "anders" else ""
    for pk, text in (questions or {}).items():
        data[f"question_{pk}"] = text
    if submit:
        data["submit"] = "1"
    data.update(overrides)
    return data


@pytest.fixture
def needs_round(world):
    return NeedsRoundFactory(municipality=world.middelburg.municipality)


def edit_url(needs_round, school):
    return reverse("schools:answer-edit", args=[needs_round.pk, school.pk])


def test_board_user_saves_a_draft_and_sees_it_again(client, world, needs_round):
    question = needs_round.questions.create(text="Met wie werkt u samen?", order=0)
    client.force_login(world.middelburg.board_user)
    url = edit_url(needs_round, world.middelburg.school)
    response = client.post(url, answer_post(questions={question.pk: "Met de bibliotheek."}))
    assert response.status_code == 302
    answer = NeedsAnswer.objects.get()
    assert answer.status == AnswerStatus.DRAFT
    assert answer.board == world.middelburg.board
    assert answer.delays.count() == 5
    assert answer.delays.get(domain="rekenen").share_of_pupils == 25
    assert {g.code for g in answer.needs.get().goals.all()} == {"bovenschools", "zorg_welzijn"}
    assert [item.name for item in answer.menu_items.all()] == ["Feedback"]
    assert answer.question_answers.get().text == "Met de bibliotheek."
    page = client.get(url).content.decode()
    assert "Zomerschool voor groep 6 en 7" in page
    assert "Met de bibliotheek." in page


def test_submitting_locks_the_answer(client, world, needs_round):
    client.force_login(world.middelburg.board_user)
    url = edit_url(needs_round, world.middelburg.school)
    response = client.post(url, answer_post(submit=True))
    answer = NeedsAnswer.objects.get()
    assert response.url == reverse("schools:answer-detail", args=[answer.pk])
    assert answer.status == AnswerStatus.SUBMITTED
    assert answer.submitted_by == world.middelburg.board_user
    assert [e.kind for e in answer.events.all()] == [AnswerEventKind.SUBMITTED]
    # The form is no longer offered, and a forged POST changes nothing.
    assert client.get(url).url == reverse("schools:answer-detail", args=[answer.pk])
    client.post(url, answer_post(free_text="Gewijzigd"))
    answer.refresh_from_db()
    assert answer.free_text == "Veel verzuim na de lockdowns."
    with pytest.raises(ValidationError, match="Dit antwoord is ingediend"):
        services.save_answer(
            needs_round=needs_round,
            school=world.middelburg.school,
            user=world.middelburg.board_user,
            data=services.AnswerInput(delays={}),
        )


def test_submitting_needs_a_severity_for_every_domain(client, world, needs_round):
    client.force_login(world.middelburg.board_user)
    response = client.post(
        edit_url(needs_round, world.middelburg.school),
        answer_post(
            submit=True, **{"vertraging-1-severity": "", "vertraging-1-share_of_pupils": ""}
        ),
        follow=True,
    )
    assert "Geef voor elk domein de ernst van de vertraging" in response.content.decode()
    assert "Rekenen" in response.content.decode()
    assert NeedsAnswer.objects.get().status == AnswerStatus.DRAFT


def test_a_refused_submit_says_the_draft_was_kept_on_a_fresh_form(client, world, needs_round):
    client.force_login(world.middelburg.board_user)
    url = edit_url(needs_round, world.middelburg.school)
    response = client.post(
        url,
        answer_post(
            submit=True, **{"vertraging-1-severity": "", "vertraging-1-share_of_pupils": ""}
        ),
    )
    assert response.url == url  # reloaded, so the form carries the saved version
    body = client.get(url).content.decode()
    assert "Uw antwoord is als concept opgeslagen, maar niet ingediend" in body
    assert "Zomerschool voor groep 6 en 7" in body
    # Saving again from the reloaded form is no edit conflict.
    answer = NeedsAnswer.objects.get()
    again = client.post(url, answer_post(version=str(answer.version)))
    assert again.status_code == 302
    answer.refresh_from_db()
    assert answer.status == AnswerStatus.DRAFT


def test_the_form_carries_an_empty_need_row_for_adding_without_reload(client, world, needs_round):
    client.force_login(world.middelburg.board_user)
    body = client.get(edit_url(needs_round, world.middelburg.school)).content.decode()
    template = body.split('<template id="behoefte-leeg">')[1].split("</template>")[0]
    assert 'name="behoefte-__prefix__-description"' in template
    assert "Behoefte __number__" in template
    assert "/static/js/needs-rows.js" in body and "<script>" not in body


def test_share_outside_0_to_100_is_refused(client, world, needs_round):
    client.force_login(world.middelburg.board_user)
    response = client.post(
        edit_url(needs_round, world.middelburg.school),
        answer_post(**{"vertraging-0-share_of_pupils": "120"}),
    )
    assert response.status_code == 200
    assert not NeedsAnswer.objects.exists()


def test_after_the_deadline_boards_can_no_longer_submit(world):
    needs_round = NeedsRoundFactory(municipality=world.middelburg.municipality, past_deadline=True)
    answer = NeedsAnswerFactory(round=needs_round, school=world.middelburg.school)
    with pytest.raises(ValidationError, match="uiterste datum is verstreken"):
        services.submit_answer(answer=answer, user=world.middelburg.board_user)


def test_in_a_closed_round_boards_can_no_longer_save(client, world):
    needs_round = NeedsRoundFactory(municipality=world.middelburg.municipality, closed=True)
    client.force_login(world.middelburg.board_user)
    response = client.post(
        edit_url(needs_round, world.middelburg.school), answer_post(), follow=True
    )
    assert "Deze ronde neemt geen antwoorden meer aan." in response.content.decode()
    assert not NeedsAnswer.objects.exists()


def test_board_requests_reopening_and_the_policy_officer_reopens(client, world, needs_round):
    answer = NeedsAnswerFactory(round=needs_round, school=world.middelburg.school, submitted=True)
    client.force_login(world.middelburg.board_user)
    url = reverse("schools:answer-request-reopen", args=[answer.pk])
    client.post(url, {"reason": "Cijfers rekenen waren verkeerd."})
    answer.refresh_from_db()
    assert answer.reopen_pending
    assert answer.reopen_requested_by == world.middelburg.board_user
    # The board cannot reopen it itself.
    assert client.post(reverse("schools:answer-reopen", args=[answer.pk])).status_code == 403

    client.force_login(world.middelburg.policy_officer)
    page = client.get(reverse("schools:answer-detail", args=[answer.pk])).content.decode()
    assert "Cijfers rekenen waren verkeerd." in page
    client.post(reverse("schools:answer-reopen", args=[answer.pk]))
    answer.refresh_from_db()
    assert answer.status == AnswerStatus.DRAFT
    assert [(e.kind, e.by) for e in answer.events.all()] == [
        (AnswerEventKind.REOPEN_REQUESTED, world.middelburg.board_user),
        (AnswerEventKind.REOPENED, world.middelburg.policy_officer),
    ]


def test_reopening_needs_a_reason(world, needs_round):
    answer = NeedsAnswerFactory(round=needs_round, school=world.middelburg.school, submitted=True)
    with pytest.raises(ValidationError, match="Geef aan waarom"):
        services.request_reopen(answer=answer, user=world.middelburg.board_user, reason=" ")


def test_municipal_users_cannot_fill_in_an_answer(client, world, needs_round):
    for user in (world.middelburg.policy_officer, world.middelburg.finance_officer):
        client.force_login(user)
        response = client.post(edit_url(needs_round, world.middelburg.school), answer_post())
        assert response.status_code == 403
    assert not NeedsAnswer.objects.exists()


def test_board_user_cannot_answer_for_another_boards_school(client, world, needs_round):
    other = SchoolFactory(municipality=world.middelburg.municipality, board=SchoolBoardFactory())
    client.force_login(world.middelburg.board_user)
    assert client.get(edit_url(needs_round, other)).status_code == 404
    with pytest.raises(PermissionDenied):
        services.save_answer(
            needs_round=needs_round,
            school=other,
            user=world.middelburg.board_user,
            data=services.AnswerInput(delays={}),
        )


def test_policy_officer_opens_edits_and_closes_a_round(client, world):
    client.force_login(world.middelburg.policy_officer)
    deadline = timezone.localdate() + datetime.timedelta(days=30)
    response = client.post(
        reverse("schools:round-create"),
        {
            "title": "Peiling najaar",
            "school_year": "2022-2023",
            "deadline": deadline.isoformat(),
            "questions": "Welke partners?\n\nWelke leerlingen missen we?",
        },
    )
    needs_round = NeedsRound.objects.get()
    assert response.url == reverse("schools:round-detail", args=[needs_round.pk])
    assert needs_round.municipality == world.middelburg.municipality
    assert [q.text for q in needs_round.questions.all()] == [
        "Welke partners?",
        "Welke leerlingen missen we?",
    ]
    client.post(
        reverse("schools:round-edit", args=[needs_round.pk]),
        {
            "title": "Peiling najaar 2022",
            "school_year": "2022-2023",
            "deadline": deadline.isoformat(),
            "questions": "Welke partners precies?",
        },
    )
    needs_round.refresh_from_db()
    assert needs_round.title == "Peiling najaar 2022"
    assert [q.text for q in needs_round.questions.all()] == ["Welke partners precies?"]
    client.post(reverse("schools:round-close", args=[needs_round.pk]))
    needs_round.refresh_from_db()
    assert not needs_round.is_open


@pytest.mark.parametrize(
    ("school_year", "days", "message"),
    [
        ("2022-2024", 10, "twee opeenvolgende jaren"),
        ("2022-2023", -1, "De uiterste datum kan niet in het verleden liggen."),
    ],
)
def test_round_needs_a_real_school_year_and_a_future_deadline(
    client, world, school_year, days, message
):
    client.force_login(world.middelburg.policy_officer)
    deadline = timezone.localdate() + datetime.timedelta(days=days)
    response = client.post(
        reverse("schools:round-create"),
        {"title": "Peiling", "school_year": school_year, "deadline": deadline.isoformat()},
    )
    assert message in response.content.decode()
    assert not NeedsRound.objects.exists()


def test_answered_question_cannot_be_removed(world, needs_round):
    question = needs_round.questions.create(text="Welke partners?", order=0)
    answer = NeedsAnswerFactory(round=needs_round, school=world.middelburg.school)
    answer.question_answers.create(question=question, text="De bibliotheek.")
    with pytest.raises(ValidationError, match="al hebben beantwoord"):
        services.update_round(
            needs_round=needs_round,
            user=world.middelburg.policy_officer,
            title=needs_round.title,
            school_year=needs_round.school_year,
            deadline=needs_round.deadline,
            questions=[],
        )


@pytest.mark.parametrize("role", ["finance_officer", "board_user"])
def test_only_the_policy_officer_manages_rounds(client, world, needs_round, role):
    client.force_login(getattr(world.middelburg, role))
    assert client.get(reverse("schools:round-create")).status_code == 403
    assert client.get(reverse("schools:round-edit", args=[needs_round.pk])).status_code == 403
    assert client.post(reverse("schools:round-close", args=[needs_round.pk])).status_code == 403
    needs_round.refresh_from_db()
    assert needs_round.is_open
