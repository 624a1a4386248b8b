import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse

from accounts.demo import DEMO_PASSWORD
from accounts.models import Role, SchoolBoard, User


def snapshot():
    return sorted(
        User.objects.values_list(
            "username", "role", "municipality__code", "school_board__number", "password"
        )
    ), SchoolBoard.objects.count()


@override_settings(DEBUG=True)
def test_seed_demo_creates_the_documented_users_and_is_idempotent(db):
    call_command("seed_demo")
    first = snapshot()
    call_command("seed_demo")
    assert snapshot() == first
    users = {
        user.username: user for user in User.objects.select_related("municipality", "school_board")
    }
    assert (
        users["beleid"].role == Role.POLICY_OFFICER
        and users["beleid"].municipality.code == "GM0687"
    )
    assert (
        users["financien"].role == Role.FINANCE_OFFICER
        and users["financien"].municipality.code == "GM0687"
    )
    assert users["bestuur"].role == Role.SCHOOL_BOARD and users["bestuur"].school_board is not None
    assert (
        users["beleid2"].role == Role.POLICY_OFFICER
        and users["beleid2"].municipality.code == "GM0718"
    )
    assert users["beheer"].is_functional_admin
    assert all(user.check_password(DEMO_PASSWORD) for user in users.values())


@override_settings(DEBUG=True)
def test_demo_user_can_log_in(client, db):
    call_command("seed_demo")
    response = client.post(reverse("login"), {"username": "beleid", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("home")).context["user"].username == "beleid"


@override_settings(DEBUG=False)
def test_seed_demo_refuses_with_debug_off(db):
    with pytest.raises(CommandError, match="DEBUG uit"):
        call_command("seed_demo")
    assert not User.objects.exists()
    call_command("seed_demo", force=True)
    assert User.objects.filter(username="beheer").exists()
