import pytest

from schools.factories import NeedsRoundFactory
from schools.models import Reminder
from schools.tasks import send_round_reminders

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def test_reminders_run_through_a_real_worker(celery_worker_process, world):
    # The mail folder is shared by the session's worker tests: look only at new files.
    earlier = set(celery_worker_process.iterdir())
    needs_round = NeedsRoundFactory(municipality=world.middelburg.municipality)
    officer = world.middelburg.policy_officer
    result = send_round_reminders.delay(needs_round.pk, officer.pk)
    assert result.get(timeout=60) == [world.middelburg.board_user.email]
    reminder = Reminder.objects.get()
    assert (reminder.recipient, reminder.sent_by) == (world.middelburg.board_user.email, officer)
    mails = [path.read_text() for path in set(celery_worker_process.iterdir()) - earlier]
    assert len(mails) == 1
    assert f"To: {world.middelburg.board_user.email}" in mails[0]
    # The worker keeps the rule too: a second run the same day mails nobody.
    assert send_round_reminders.delay(needs_round.pk, officer.pk).get(timeout=60) == []
    assert len(set(celery_worker_process.iterdir()) - earlier) == 1
