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


@override_settings(DEBUG=True)
def test_seed_demo_says_what_it_changed_lists_every_login_and_keeps_the_demo_calendar(db):
    import datetime
    from io import StringIO

    from schools.models import NeedsAnswer, NeedsRound

    first, second = StringIO(), StringIO()
    call_command("seed_demo", stdout=first)
    call_command("seed_demo", stdout=second)
    assert "531 uitgaven toegevoegd" in first.getvalue()
    assert "Financiën: 0 toekenningen, 0 betalingen en 0 uitgaven toegevoegd." in second.getvalue()
    assert "Scholen: 0 locaties toegevoegd, 0 bijgewerkt." in second.getvalue()
    logins = second.getvalue().split("Inloggen met:")[1].split()
    for username in ("beleid", "financien", "bestuur", "beleid2", "financien3", "beheer"):
        assert username in logins
    assert "accountant" in logins  # the auditor comes from auditing's demo
    # The demo round keeps the demo's calendar (autumn 2022), not the day of seeding.
    needs_round = NeedsRound.objects.get(school_year="2022-2023")
    assert needs_round.deadline == datetime.date(2022, 10, 14)
    assert needs_round.opened_at.date() == datetime.date(2022, 9, 19)
    submitted = NeedsAnswer.objects.filter(round=needs_round, submitted_at__isnull=False)
    assert submitted.count() == 4
    assert {a.submitted_at.year for a in submitted} == {2022}
