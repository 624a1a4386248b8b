import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.factories import UserFactory
from schools import selectors, services, tasks
from schools.factories import NeedsAnswerFactory, NeedsRoundFactory, SchoolFactory
from schools.models import Reminder


@pytest.fixture
def needs_round(world):
    return NeedsRoundFactory(municipality=world.middelburg.municipality, title="Peiling voorjaar")


def test_reminders_go_to_the_board_users_of_schools_that_have_not_reported(
    client, world, needs_round, django_capture_on_commit_callbacks
):
    colleague = UserFactory(
        username="mdb-bestuur-2", board_user=True, school_board=world.middelburg.board
    )
    UserFactory(
        username="zonder-mail", board_user=True, school_board=world.middelburg.board, email=""
    )
    UserFactory(
        username="vertrokken", board_user=True, school_board=world.middelburg.board, is_active=False
    )
    done = SchoolFactory(municipality=world.middelburg.municipality)
    NeedsAnswerFactory(round=needs_round, school=done, submitted=True)
    UserFactory(username="klaar-bestuur", board_user=True, school_board=done.board)

    client.force_login(world.middelburg.policy_officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("schools:send-reminders", args=[needs_round.pk]), follow=True
        )
    assert "Er worden herinneringen gestuurd aan 2 personen." in response.content.decode()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [world.middelburg.board_user.email, colleague.email]
    )
    message = mail.outbox[0]
    assert message.subject == (
        "Herinnering: behoeftepeiling “Peiling voorjaar” van de gemeente Middelburg (Z.)"
    )
    assert "Basisschool Middelburg (Z.) (11MB00)" in message.body
    assert f"/scholen/rondes/{needs_round.pk}/" in message.body
    reminders = Reminder.objects.filter(round=needs_round)
    assert reminders.count() == 2
    assert {r.sent_by for r in reminders} == {world.middelburg.policy_officer}
    assert {r.sent_on for r in reminders} == {timezone.localdate()}


def test_a_second_click_the_same_day_sends_nothing_and_says_so(
    client, world, needs_round, django_capture_on_commit_callbacks
):
    client.force_login(world.middelburg.policy_officer)
    url = reverse("schools:send-reminders", args=[needs_round.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    assert len(mail.outbox) == 1
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(url, follow=True)
    assert callbacks == []
    assert len(mail.outbox) == 1
    body = response.content.decode()
    assert "Vandaag al herinnerd, dus niet nog eens:" in body
    assert world.middelburg.board_user.email in body
    assert Reminder.objects.count() == 1


def test_the_task_itself_never_mails_anyone_twice_a_day(world, needs_round):
    first = tasks.send_round_reminders.delay(needs_round.pk).get()
    second = tasks.send_round_reminders.delay(needs_round.pk).get()
    assert first == [world.middelburg.board_user.email]
    assert second == []
    assert len(mail.outbox) == 1


def test_the_next_day_a_board_is_reminded_again(world, needs_round):
    today = timezone.localdate()
    services.send_reminders(needs_round=needs_round, today=today)
    services.send_reminders(needs_round=needs_round, today=today + datetime.timedelta(days=1))
    assert len(mail.outbox) == 2
    assert Reminder.objects.count() == 2


def test_a_submitted_school_is_not_chased(world, needs_round):
    NeedsAnswerFactory(round=needs_round, school=world.middelburg.school, submitted=True)
    assert services.send_reminders(needs_round=needs_round).sent == []
    assert mail.outbox == []


def test_a_draft_still_counts_as_not_reported(world, needs_round):
    NeedsAnswerFactory(round=needs_round, school=world.middelburg.school)
    assert [r.school for r in selectors.unreported(needs_round=needs_round)] == [
        world.middelburg.school
    ]


def test_the_home_pages_count_of_unreported_schools_is_the_list_counted(world, needs_round):
    municipality = world.middelburg.municipality
    NeedsAnswerFactory(round=needs_round, school=world.middelburg.school)  # a draft
    NeedsAnswerFactory(
        round=needs_round, school=SchoolFactory(municipality=municipality), submitted=True
    )
    SchoolFactory(municipality=municipality)  # not started
    SchoolFactory(municipality=municipality, closed_on=datetime.date(2000, 1, 1))  # gone before
    # Answered, then moved to Vlissingen: the answer keeps it in Middelburg's round.
    NeedsAnswerFactory(
        round=needs_round, school=SchoolFactory(municipality=world.vlissingen.municipality)
    )
    listed = selectors.unreported(needs_round=needs_round)
    assert len(listed) == 3
    assert selectors.unreported_count(needs_round=needs_round) == len(listed)
    assert [
        r.unreported
        for r in selectors.open_rounds_with_unreported(user=world.middelburg.policy_officer)
    ] == [3]


def test_only_the_policy_officer_sends_reminders(client, world, needs_round):
    for user in (world.middelburg.finance_officer, world.middelburg.board_user):
        client.force_login(user)
        assert (
            client.post(reverse("schools:send-reminders", args=[needs_round.pk])).status_code == 403
        )
    assert mail.outbox == []


def test_a_closed_round_sends_no_reminders(world):
    closed = NeedsRoundFactory(municipality=world.middelburg.municipality, closed=True)
    assert tasks.send_round_reminders.delay(closed.pk).get() == []
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("days_ahead", "picked"),
    [(-1, False), (0, True), (1, True), (3, True), (4, False)],
)
def test_beat_task_picks_open_rounds_whose_deadline_is_near(world, days_ahead, picked):
    today = timezone.localdate()
    needs_round = NeedsRoundFactory(
        municipality=world.middelburg.municipality,
        deadline=today + datetime.timedelta(days=days_ahead),
    )
    NeedsRoundFactory(
        municipality=world.vlissingen.municipality,
        deadline=today + datetime.timedelta(days=1),
        closed=True,
    )
    due = list(selectors.rounds_due_for_reminders(today=today))
    assert due == ([needs_round] if picked else [])


def test_beat_task_mails_the_boards_of_due_rounds(world, settings):
    settings.NEEDS_REMINDER_DAYS_BEFORE_DEADLINE = 5
    today = timezone.localdate()
    NeedsRoundFactory(
        municipality=world.middelburg.municipality, deadline=today + datetime.timedelta(days=5)
    )
    NeedsRoundFactory(
        municipality=world.vlissingen.municipality, deadline=today + datetime.timedelta(days=6)
    )
    assert tasks.send_deadline_reminders.delay().get() == 1
    assert [m.to for m in mail.outbox] == [[world.middelburg.board_user.email]]
    assert Reminder.objects.get().sent_by is None
    assert tasks.send_deadline_reminders.delay().get() == 0


def test_beat_schedule_runs_the_deadline_reminders(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["needs-round-deadline-reminders"]
    assert entry["task"] == tasks.send_deadline_reminders.name


def test_the_home_pages_cached_count_follows_every_answer_and_school_at_once(
    client, world, needs_round
):
    """Issue 32: the home card's count comes from the cache while the needs log's count for
    the round's municipality stands still; a submitted answer, a new school and a closed one
    each move it, and the next view shows the new count."""
    municipality = world.middelburg.municipality
    client.force_login(world.middelburg.policy_officer)

    def count() -> int:
        [item] = client.get(reverse("home")).context["municipal_rounds"]
        return item.unreported

    first = count()
    assert count() == first
    answer = NeedsAnswerFactory(round=needs_round, school=world.middelburg.school)  # a draft
    assert count() == first
    answer.status = "submitted"
    answer.save()
    assert count() == first - 1
    school = SchoolFactory(municipality=municipality)
    assert count() == first
    school.closed_on = datetime.date(2000, 1, 1)
    school.save()
    assert count() == first - 1
    assert count() == selectors.unreported_count(needs_round=needs_round)
