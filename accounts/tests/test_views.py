import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.factories import TEST_PASSWORD, UserFactory
from accounts.models import Role, User
from accounts.permissions import can_list_municipalities


def test_login_page_is_dutch_by_default(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert '<html lang="nl">' in response.content.decode()
    assert "Inloggen bij NPO Portal" in response.content.decode()


def test_login_with_wrong_password_says_so_in_dutch(client, world):
    response = client.post(reverse("login"), {"username": "mdb-beleid", "password": "fout"})
    assert response.status_code == 200
    assert "Voer een juiste gebruikersnaam en wachtwoord in" in response.content.decode()


def test_login_leads_to_the_home_page_of_the_role(client, world):
    response = client.post(
        reverse("login"), {"username": "mdb-financien", "password": TEST_PASSWORD}, follow=True
    )
    body = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("home")
    assert "Als financieel medewerker" in body
    assert "Gemeente Middelburg (Z.)" in body


@pytest.mark.parametrize(
    ("attribute", "phrase"),
    [
        ("policy_officer", "Als beleidsmedewerker"),
        ("finance_officer", "Als financieel medewerker"),
        ("board_user", "Als schoolbestuur"),
    ],
)
def test_each_role_has_its_own_home_page(client, world, attribute, phrase):
    client.force_login(getattr(world.middelburg, attribute))
    assert phrase in client.get(reverse("home")).content.decode()


def test_functional_admin_home_counts_existing_municipalities(client, world):
    client.force_login(world.functional_admin)
    response = client.get(reverse("home"))
    assert "Als functioneel beheerder" in response.content.decode()
    assert response.context["counts"]["municipalities"] == 342
    assert response.context["counts"]["municipalities_ceased"] == 14


def test_anonymous_user_is_sent_to_login(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_logout_ends_the_session(client, world):
    client.force_login(world.middelburg.policy_officer)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_dutch_even_when_the_browser_asks_for_english(client, db):
    response = client.get(reverse("login"), headers={"accept-language": "en-US,en;q=0.9"})
    assert "Inloggen bij NPO Portal" in response.content.decode()


def test_english_is_available(client, world):
    client.force_login(world.middelburg.policy_officer)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("home")).content.decode()
    assert '<html lang="en">' in body
    assert "As policy officer" in body


def test_municipality_page_lists_only_its_own_users(client, world):
    client.force_login(world.middelburg.policy_officer)
    response = client.get(reverse("municipality-detail", args=["GM0687"]))
    assert response.status_code == 200
    assert {user.username for user in response.context["members"]} == {
        "mdb-beleid",
        "mdb-financien",
    }


def test_policy_officer_of_middelburg_gets_404_for_vlissingen(client, world):
    client.force_login(world.middelburg.policy_officer)
    assert client.get(reverse("municipality-detail", args=["GM0718"])).status_code == 404
    assert client.get(reverse("school-board-detail", args=["41002"])).status_code == 404


def test_school_board_user_sees_own_board_only(client, world):
    client.force_login(world.middelburg.board_user)
    assert client.get(reverse("school-board-detail", args=["41001"])).status_code == 200
    assert client.get(reverse("school-board-detail", args=["41002"])).status_code == 404
    assert client.get(reverse("municipality-detail", args=["GM0718"])).status_code == 404


def test_school_board_user_sees_the_municipality_of_its_schools_but_not_its_staff(client, world):
    client.force_login(world.middelburg.board_user)
    response = client.get(reverse("municipality-detail", args=["GM0687"]))
    assert response.status_code == 200
    assert world.middelburg.policy_officer.email not in response.content.decode()


def test_municipality_list_is_scoped_and_searchable(client, world):
    client.force_login(world.middelburg.policy_officer)
    assert [m.code for m in client.get(reverse("municipality-list")).context["object_list"]] == [
        "GM0687"
    ]
    client.force_login(world.functional_admin)
    response = client.get(reverse("municipality-list"), {"q": "vlissingen"})
    assert [m.code for m in response.context["object_list"]] == ["GM0718"]
    assert client.get(reverse("municipality-list")).context["paginator"].count == 356


def test_the_programme_monitor_is_refused_the_municipality_list(client, world):
    monitor = UserFactory(username="programmabureau", role=Role.MONITOR, municipality=None)
    client.force_login(monitor)
    assert client.get(reverse("municipality-list")).status_code == 403
    assert not can_list_municipalities(monitor)
    client.force_login(world.middelburg.finance_officer)
    assert client.get(reverse("municipality-list")).status_code == 200


def test_only_the_functional_admin_reaches_the_admin(client, world):
    for user in (world.middelburg.policy_officer, world.middelburg.board_user):
        client.force_login(user)
        assert client.get(reverse("admin:index")).status_code == 302
        change = reverse("admin:accounts_user_change", args=[world.vlissingen.policy_officer.pk])
        assert client.get(change).status_code == 302
    client.force_login(world.functional_admin)
    assert client.get(reverse("admin:index")).status_code == 200


def link_in(message) -> str:
    return re.search(r"http://\S+", message.body).group(0)


def test_password_reset_by_email(client, world):
    response = client.post(reverse("password_reset"), {"email": "mdb-beleid@proef.example"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "NPO Portal: stel een nieuw wachtwoord in"
    response = client.get(link_in(mail.outbox[0]), follow=True)
    new_password = "Zeeuwse-Stroom-2026"
    response = client.post(
        response.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 302
    assert User.objects.get(username="mdb-beleid").check_password(new_password)


def test_admin_invitation_mails_a_link_to_set_a_password(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world.functional_admin)
    invitee = world.vlissingen.finance_officer
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:accounts_user_changelist"),
            {"action": "send_invitations", "_selected_action": [invitee.pk]},
            follow=True,
        )
    assert "1 uitnodiging" in response.content.decode()
    assert [message.to for message in mail.outbox] == [[invitee.email]]
    assert "Vlissingen" in mail.outbox[0].body
    assert "financieel medewerker" in mail.outbox[0].body.lower()
    invitee.refresh_from_db()
    assert invitee.invited_at is not None
    client.logout()
    assert client.get(link_in(mail.outbox[0]), follow=True).context["validlink"] is True


def test_invitation_refused_for_user_without_email(client, world):
    client.force_login(world.functional_admin)
    invitee = world.vlissingen.finance_officer
    User.objects.filter(pk=invitee.pk).update(email="")
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "send_invitations", "_selected_action": [invitee.pk]},
        follow=True,
    )
    assert "geen e-mailadres" in response.content.decode()
    assert mail.outbox == []


def test_municipality_list_query_count_does_not_grow_with_rows(
    client, world, django_assert_max_num_queries
):
    client.force_login(world.functional_admin)
    # 356 municipalities, 14 with a successor: the page must not query per row.
    with django_assert_max_num_queries(5):
        response = client.get(reverse("municipality-list"), {"page": 2})
    assert len(response.context["object_list"]) == 50


def test_organisation_page_query_count_is_fixed(client, world, django_assert_max_num_queries):
    client.force_login(world.middelburg.policy_officer)
    # The seventh asks whether the programme is closed (for the notice at the top); it is
    # cached after the first page.
    with django_assert_max_num_queries(7):
        client.get(reverse("municipality-detail", args=["GM0687"]))
