"""Login hardening: throttled failures, argon2 hashes, and the security headers."""

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.factories import TEST_PASSWORD


def log_in(client, username, password):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR="192.0.2.10"
    )


def test_login_is_blocked_after_five_wrong_passwords_even_with_the_right_one(client, world):
    username = world.middelburg.policy_officer.username
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, username, "fout-wachtwoord").status_code == 200
    locked = log_in(client, username, "fout-wachtwoord")
    assert locked.status_code == 429
    assert "Te veel mislukte pogingen" in locked.content.decode()
    assert "15 minuten" in locked.content.decode()

    assert log_in(client, username, TEST_PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_successful_login_clears_earlier_failures(client, world):
    username = world.middelburg.policy_officer.username
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in(client, username, "fout-wachtwoord")
    assert log_in(client, username, TEST_PASSWORD).status_code == 302
    client.logout()
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, username, "fout-wachtwoord").status_code == 200


def test_lockout_of_one_user_does_not_lock_out_another(client, world):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, world.middelburg.policy_officer.username, "fout-wachtwoord")
    assert (
        log_in(client, world.vlissingen.policy_officer.username, TEST_PASSWORD).status_code == 302
    )


def test_new_passwords_are_hashed_with_argon2(world):
    user = world.middelburg.policy_officer
    user.set_password("een lang en nieuw wachtwoord")
    assert user.password.startswith("argon2$")


@pytest.mark.parametrize("path", ["login", "home"])
def test_pages_carry_a_content_security_policy_without_inline_scripts(client, world, path):
    client.force_login(world.middelburg.policy_officer)
    policy = client.get(reverse(path))["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in directives["style-src"]


def test_pages_forbid_sniffing_framing_and_cross_site_referrers(client, db):
    response = client.get(reverse("login"))
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
