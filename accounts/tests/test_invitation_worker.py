import pytest

from accounts.factories import UserFactory
from accounts.tasks import send_invitation

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def test_invitation_runs_through_a_real_worker(celery_worker_process):
    user = UserFactory(username="nieuw-beleid", email="nieuw@middelburg.example")
    result = send_invitation.delay(user.pk)
    assert result.get(timeout=60) == "nieuw@middelburg.example"
    user.refresh_from_db()
    assert user.invited_at is not None
    mails = [path.read_text() for path in celery_worker_process.iterdir()]
    assert len(mails) == 1
    assert "To: nieuw@middelburg.example" in mails[0]
    assert "/wachtwoord-instellen/" in mails[0]


def test_worker_skips_an_inactive_user(celery_worker_process):
    user = UserFactory(username="vertrokken", is_active=False)
    assert send_invitation.delay(user.pk).get(timeout=60) is None
    user.refresh_from_db()
    assert user.invited_at is None
