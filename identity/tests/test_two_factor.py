"""Two-factor authentication: required for finance officers and administrators, counted by
django-axes, recovery codes that work once."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.factories import TEST_PASSWORD
from identity.models import AccountEvent
from identity.tests.helpers import recovery_codes_on_page, secret_on_page, totp

ADDRESS = "192.0.2.20"


def log_in(client, user, password=TEST_PASSWORD):
    return client.post(
        reverse("login"), {"username": user.username, "password": password}, REMOTE_ADDR=ADDRESS
    )


def enter_code(client, code, next_url=""):
    return client.post(
        reverse("identity:verify"), {"code": code, "next": next_url}, REMOTE_ADDR=ADDRESS
    )


def next_code(user, secret: str) -> str:
    """The code of the time step after the one last used (a code is good once): the app's
    next code. Not "now + 30 s": a set-up whose check fell in the next step leaves the
    device's clock a step behind (django-otp's drift), and that code would be out of reach."""
    device = TOTPDevice.objects.get(user=user)
    return totp(secret, at=(device.last_t + 1) * device.step)


def set_up_second_factor(client) -> tuple[str, list[str]]:
    """As the signed-in user: scan (read the key), enter the code; returns key and codes."""
    secret = secret_on_page(client.get(reverse("identity:two-factor-setup")).content.decode())
    done = client.post(reverse("identity:two-factor-setup"), {"code": totp(secret)})
    assert done.status_code == 200
    codes = recovery_codes_on_page(done.content.decode())
    assert len(codes) == 10
    return secret, codes


@pytest.fixture
def no_device_throttle(settings):
    """django-otp also slows down guesses (1 s, 2 s, …); these tests check axes' count."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


@pytest.mark.two_factor
def test_finance_officer_without_second_factor_reaches_no_page_until_set_up(client, world):
    officer = world.middelburg.finance_officer
    assert log_in(client, officer).status_code == 302
    dashboard = reverse("finance:dashboard", kwargs={"code": officer.municipality.code})
    for path in (reverse("home"), dashboard, reverse("identity:profile")):
        response = client.get(path)
        assert response.status_code == 302
        assert response.url.startswith(reverse("identity:two-factor-setup"))

    set_up_second_factor(client)

    assert client.get(dashboard).status_code == 200
    assert AccountEvent.objects.filter(
        subject=officer, action=AccountEvent.Action.TWO_FACTOR_ENABLED
    ).exists()


@pytest.mark.two_factor
def test_functional_administrator_needs_a_second_factor_for_the_admin_too(client, world):
    log_in(client, world.functional_admin)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("identity:two-factor-setup"))


@pytest.mark.two_factor
def test_policy_officer_may_work_without_a_second_factor(client, world):
    log_in(client, world.middelburg.policy_officer)
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.two_factor
def test_a_wrong_setup_code_does_not_turn_two_factor_on(client, world):
    log_in(client, world.middelburg.finance_officer)
    client.get(reverse("identity:two-factor-setup"))
    response = client.post(reverse("identity:two-factor-setup"), {"code": "000000"})
    assert "niet juist" in response.content.decode()
    assert client.get(reverse("home")).status_code == 302


def test_after_setting_up_every_login_asks_the_code(client, world):
    officer = world.middelburg.policy_officer
    log_in(client, officer)
    secret, _codes = set_up_second_factor(client)
    client.post(reverse("logout"))

    log_in(client, officer)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("identity:verify"))
    assert enter_code(client, next_code(officer, secret)).status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_a_wrong_code_is_refused_and_counted_by_axes(client, world, no_device_throttle):
    officer = world.middelburg.finance_officer
    log_in(client, officer)
    set_up_second_factor(client)
    client.post(reverse("logout"))
    AccessAttempt.objects.all().delete()

    log_in(client, officer)
    response = enter_code(client, "123456")
    assert response.status_code == 200
    assert "niet juist" in response.content.decode()
    assert client.get(reverse("home")).status_code == 302  # still not in
    attempt = AccessAttempt.objects.get(username=officer.username, ip_address=ADDRESS)
    assert attempt.failures_since_start == 1


def test_signing_in_again_with_the_password_does_not_forget_wrong_codes(
    client, world, no_device_throttle
):
    """Else knowing the password would give unlimited guesses at the code."""
    officer = world.middelburg.finance_officer
    log_in(client, officer)
    set_up_second_factor(client)
    client.post(reverse("logout"))
    AccessAttempt.objects.all().delete()

    for _round in range(2):
        log_in(client, officer)
        enter_code(client, "123456")
        enter_code(client, "654321")
        client.post(reverse("logout"))
    attempt = AccessAttempt.objects.get(username=officer.username)
    assert attempt.failures_since_start == 4


def test_too_many_wrong_codes_lock_the_account_out(client, world, no_device_throttle):
    officer = world.middelburg.finance_officer
    log_in(client, officer)
    _secret, _codes = set_up_second_factor(client)
    client.post(reverse("logout"))
    AccessAttempt.objects.all().delete()

    log_in(client, officer)
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert enter_code(client, "123456").status_code == 200
    locked = enter_code(client, "123456")
    assert locked.status_code == 429
    assert "Te veel mislukte pogingen" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # The right password does not help during the lockout.
    assert log_in(client, officer).status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_recovery_code_works_once(client, world, no_device_throttle):
    officer = world.middelburg.finance_officer
    log_in(client, officer)
    _secret, codes = set_up_second_factor(client)
    client.post(reverse("logout"))

    log_in(client, officer)
    response = enter_code(client, codes[0].upper())  # as typed from paper
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    assert "9" in client.get(reverse("identity:profile")).content.decode()
    client.post(reverse("logout"))

    log_in(client, officer)
    assert enter_code(client, codes[0]).status_code == 200
    assert client.get(reverse("home")).status_code == 302
    assert enter_code(client, codes[1]).status_code == 302


def test_new_recovery_codes_replace_the_old_ones(client, world, no_device_throttle):
    officer = world.middelburg.policy_officer
    log_in(client, officer)
    _secret, old = set_up_second_factor(client)
    new = recovery_codes_on_page(client.post(reverse("identity:recovery-codes")).content.decode())
    assert set(new).isdisjoint(old)
    client.post(reverse("logout"))
    log_in(client, officer)
    assert enter_code(client, old[0]).status_code == 200
    assert enter_code(client, new[0]).status_code == 302


def test_the_authenticator_cannot_be_replaced_before_entering_its_code(client, world):
    """A stolen password alone must not let someone put their own phone in place."""
    officer = world.middelburg.policy_officer
    log_in(client, officer)
    set_up_second_factor(client)
    client.post(reverse("logout"))
    log_in(client, officer)
    response = client.get(reverse("identity:two-factor-setup"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("identity:verify"))


@pytest.mark.two_factor
def test_a_role_that_requires_two_factor_cannot_turn_it_off(client, world):
    officer = world.middelburg.finance_officer
    log_in(client, officer)
    set_up_second_factor(client)
    client.post(reverse("identity:two-factor-remove"))
    profile = client.get(reverse("identity:profile")).content.decode()
    assert "Aan, met een authenticator-app" in profile


def test_an_optional_second_factor_can_be_turned_off(client, world):
    officer = world.middelburg.policy_officer
    log_in(client, officer)
    set_up_second_factor(client)
    client.post(reverse("identity:two-factor-remove"))
    client.post(reverse("logout"))
    log_in(client, officer)
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.two_factor
def test_a_page_reads_the_signed_in_user_itself_with_its_second_factor(client, world):
    """Issue 32: once loaded, `request.user` is the user, not Django's and django-otp's two
    lazy wrappers; what django-otp sets on it (the verified device) is still there."""
    from django.utils.functional import LazyObject

    from accounts.models import User

    officer = world.middelburg.policy_officer
    log_in(client, officer)
    secret, _codes = set_up_second_factor(client)
    client.post(reverse("logout"))
    log_in(client, officer)
    enter_code(client, next_code(officer, secret))

    request = client.get(reverse("home")).wsgi_request
    assert type(request.user) is User
    assert request.user == officer
    assert request.user.is_verified()
    assert request.user.otp_device is not None

    client.post(reverse("logout"))
    request = client.get(reverse("accessibility")).wsgi_request
    assert isinstance(request.user, LazyObject)
    assert not request.user.is_authenticated
