from django.contrib.auth.models import AnonymousUser

from accounts.factories import SchoolBoardFactory, UserFactory
from schools.factories import NeedsAnswerFactory, NeedsRoundFactory, SchoolFactory
from schools.models import NeedsAnswer, NeedsRound, Reminder, School


def test_board_user_sees_rounds_of_municipalities_where_the_board_has_schools(world):
    middelburg_round = NeedsRoundFactory(municipality=world.middelburg.municipality)
    NeedsRoundFactory(municipality=world.vlissingen.municipality)
    assert list(NeedsRound.objects.for_user(world.middelburg.board_user)) == [middelburg_round]


def test_board_with_schools_in_two_municipalities_sees_both_rounds_once(world):
    board = world.middelburg.board
    for _ in range(3):
        SchoolFactory(municipality=world.vlissingen.municipality, board=board)
    rounds = {
        NeedsRoundFactory(municipality=world.middelburg.municipality),
        NeedsRoundFactory(municipality=world.vlissingen.municipality),
    }
    visible = list(NeedsRound.objects.for_user(world.middelburg.board_user))
    assert len(visible) == 2
    assert set(visible) == rounds


def test_policy_officer_sees_only_own_municipalitys_rounds_and_answers(world):
    mine = NeedsAnswerFactory(
        round=NeedsRoundFactory(municipality=world.middelburg.municipality),
        school=world.middelburg.school,
    )
    NeedsAnswerFactory(
        round=NeedsRoundFactory(municipality=world.vlissingen.municipality),
        school=world.vlissingen.school,
    )
    officer = world.middelburg.policy_officer
    assert list(NeedsRound.objects.for_user(officer)) == [mine.round]
    assert list(NeedsAnswer.objects.for_user(officer)) == [mine]


def test_board_user_sees_own_answers_not_another_boards_in_the_same_round(world):
    needs_round = NeedsRoundFactory(municipality=world.middelburg.municipality)
    own = NeedsAnswerFactory(round=needs_round, school=world.middelburg.school)
    other_board = SchoolBoardFactory()
    NeedsAnswerFactory(
        round=needs_round,
        school=SchoolFactory(municipality=world.middelburg.municipality, board=other_board),
    )
    assert list(NeedsAnswer.objects.for_user(world.middelburg.board_user)) == [own]


def test_board_user_sees_only_own_schools(world):
    SchoolFactory(municipality=world.middelburg.municipality)
    assert list(School.objects.for_user(world.middelburg.board_user)) == [world.middelburg.school]


def test_reminders_are_for_the_municipality_only(world):
    needs_round = NeedsRoundFactory(municipality=world.middelburg.municipality)
    Reminder.objects.create(
        round=needs_round,
        board=world.middelburg.board,
        recipient="a@b.example",
        sent_on="2026-01-05",
    )
    assert Reminder.objects.for_user(world.middelburg.policy_officer).count() == 1
    assert not Reminder.objects.for_user(world.middelburg.board_user).exists()
    assert not Reminder.objects.for_user(world.vlissingen.policy_officer).exists()


def test_users_without_organisation_see_no_rounds_or_answers(world):
    NeedsAnswerFactory(
        round=NeedsRoundFactory(municipality=world.middelburg.municipality),
        school=world.middelburg.school,
    )
    inactive = world.middelburg.board_user
    inactive.is_active = False
    for user in (AnonymousUser(), inactive):
        assert not NeedsRound.objects.for_user(user).exists()
        assert not NeedsAnswer.objects.for_user(user).exists()
    board_without_schools = UserFactory(username="zonder-scholen", board_user=True)
    assert not NeedsRound.objects.for_user(board_without_schools).exists()
