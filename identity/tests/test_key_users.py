"""Key users invite and deactivate their own organisation's people, in its roles only."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import Role, User
from identity.models import AccountEvent, UserSession


@pytest.fixture
def key_user(world):
    user = world.middelburg.policy_officer
    user.is_key_user = True
    user.save(update_fields=["is_key_user"])
    return user


def invite(client, role, email="nieuw@middelburg.nl"):
    return client.post(
        reverse("identity:invite"),
        {"first_name": "Nieuwe", "last_name": "Collega", "email": email, "role": role},
    )


def test_key_user_invites_a_colleague_into_their_own_organisation(
    client, world, key_user, django_capture_on_commit_callbacks
):
    client.force_login(key_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client, Role.FINANCE_OFFICER)
    assert response.status_code == 302
    colleague = User.objects.get(email="nieuw@middelburg.nl")
    assert colleague.municipality == world.middelburg.municipality
    assert colleague.role == Role.FINANCE_OFFICER
    assert not colleague.is_staff and not colleague.is_superuser and not colleague.is_key_user
    assert not colleague.has_usable_password()
    # The existing invitation: a link to set a password, by e-mail.
    assert mail.outbox[-1].to == ["nieuw@middelburg.nl"]
    assert "/wachtwoord-instellen/" in mail.outbox[-1].body
    event = AccountEvent.objects.get(subject=colleague)
    assert (event.actor, event.action, event.municipality) == (
        key_user,
        AccountEvent.Action.INVITED,
        world.middelburg.municipality,
    )


@pytest.mark.parametrize("role", [Role.FUNCTIONAL_ADMIN, Role.MONITOR, Role.SCHOOL_BOARD])
def test_key_user_cannot_give_a_role_outside_their_organisation(client, key_user, role):
    client.force_login(key_user)
    response = invite(client, role)
    assert response.status_code == 200
    assert not User.objects.filter(email="nieuw@middelburg.nl").exists()
    assert not mail.outbox


def test_school_board_key_user_invites_school_board_users_only(client, world):
    board_user = world.middelburg.board_user
    User.objects.filter(pk=board_user.pk).update(is_key_user=True)
    client.force_login(board_user)
    assert invite(client, Role.POLICY_OFFICER).status_code == 200
    assert invite(client, Role.SCHOOL_BOARD).status_code == 302
    colleague = User.objects.get(email="nieuw@middelburg.nl")
    assert colleague.school_board == world.middelburg.board and colleague.municipality is None


def test_municipal_key_user_invites_an_auditor_for_their_own_municipality_only(
    client, world, key_user
):
    client.force_login(key_user)
    page = client.get(reverse("identity:invite")).content.decode()
    assert '<option value="accountant">Accountant</option>' in page
    assert invite(client, Role.AUDITOR, email="controle@accountants.example").status_code == 302
    auditor = User.objects.get(email="controle@accountants.example")
    assert (auditor.role, auditor.municipality, auditor.school_board) == (
        Role.AUDITOR,
        world.middelburg.municipality,
        None,
    )
    assert not auditor.is_key_user and not auditor.is_staff
    assert AccountEvent.objects.filter(
        subject=auditor, actor=key_user, action=AccountEvent.Action.INVITED
    ).exists()
    # Vlissingen's key user does not see Middelburg's auditor, and cannot deactivate them.
    other = world.vlissingen.policy_officer
    User.objects.filter(pk=other.pk).update(is_key_user=True)
    other_client = client.__class__()
    other_client.force_login(other)
    people = other_client.get(reverse("identity:people")).content.decode()
    assert "controle@accountants.example" not in people
    response = other_client.post(reverse("identity:deactivate", kwargs={"pk": auditor.pk}))
    assert response.status_code == 404
    assert User.objects.get(pk=auditor.pk).is_active


def test_school_board_key_user_cannot_invite_an_auditor(client, world):
    board_user = world.middelburg.board_user
    User.objects.filter(pk=board_user.pk).update(is_key_user=True)
    client.force_login(board_user)
    assert invite(client, Role.AUDITOR).status_code == 200
    assert not User.objects.filter(email="nieuw@middelburg.nl").exists()


def test_key_user_deactivates_a_colleague_whose_sessions_end(client, world, key_user):
    colleague = world.middelburg.finance_officer
    other_client = client.__class__()
    other_client.force_login(colleague)
    assert UserSession.objects.filter(user=colleague).exists()

    client.force_login(key_user)
    response = client.post(reverse("identity:deactivate", kwargs={"pk": colleague.pk}))
    assert response.status_code == 302
    colleague.refresh_from_db()
    assert not colleague.is_active
    assert other_client.get(reverse("home")).status_code == 302
    assert not UserSession.objects.filter(user=colleague).exists()
    assert AccountEvent.objects.filter(
        actor=key_user, subject=colleague, action=AccountEvent.Action.DEACTIVATED
    ).exists()

    client.post(reverse("identity:reactivate", kwargs={"pk": colleague.pk}))
    colleague.refresh_from_db()
    assert colleague.is_active


def test_people_page_shows_own_colleagues_last_sign_in_and_the_trail(client, world, key_user):
    client.force_login(world.middelburg.finance_officer)  # sets last_login
    client.force_login(key_user)
    invite(client, Role.POLICY_OFFICER)
    page = client.get(reverse("identity:people")).content.decode()
    assert world.middelburg.finance_officer.email in page
    assert world.vlissingen.policy_officer.email not in page
    assert world.middelburg.board_user.email not in page
    assert "Laatst ingelogd" in page
    assert "nieuw@middelburg.nl" in page and "Uitgenodigd" in page


def test_key_user_cannot_deactivate_another_organisations_people(client, world, key_user):
    client.force_login(key_user)
    for target in (
        world.vlissingen.policy_officer,
        world.middelburg.board_user,
        world.functional_admin,
    ):
        response = client.post(reverse("identity:deactivate", kwargs={"pk": target.pk}))
        assert response.status_code == 404
    assert User.objects.filter(is_active=False).count() == 0


def test_key_user_cannot_deactivate_themselves(client, key_user):
    client.force_login(key_user)
    client.post(reverse("identity:deactivate", kwargs={"pk": key_user.pk}))
    key_user.refresh_from_db()
    assert key_user.is_active


@pytest.mark.parametrize("name", ["identity:people", "identity:invite"])
def test_colleagues_who_are_not_key_users_are_refused(client, world, name):
    client.force_login(world.middelburg.policy_officer)
    assert client.get(reverse(name)).status_code == 403
    client.force_login(world.functional_admin)
    assert client.get(reverse(name)).status_code == 403
