"""The demo can be signed into as every demo user, also those whose role needs a second
factor: their authenticator has the key published in the README."""

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.demo import DEMO_PASSWORD
from accounts.demo import seed_demo as seed_accounts
from accounts.models import User
from identity.demo import DEMO_TOTP_KEY, demo_code, seed_demo
from identity.tests.helpers import totp

pytestmark = pytest.mark.two_factor


def test_demo_users_whose_role_needs_a_second_factor_get_the_published_key(db):
    seed_accounts()
    summary = seed_demo()
    with_device = set(TOTPDevice.objects.values_list("user__username", flat=True))
    assert with_device == {"financien", "financien3", "beheer"}
    assert DEMO_TOTP_KEY in summary
    assert demo_code() == totp(DEMO_TOTP_KEY)
    assert User.objects.get(username="beleid").is_key_user

    # Running it again restores the key, also after a reader set up their own.
    TOTPDevice.objects.filter(user__username="financien").update(name="mine", key="00" * 20)
    seed_demo()
    device = TOTPDevice.objects.get(user__username="financien")
    assert device.name == "authenticator (demo)" and device.verify_token(demo_code())


def test_a_reader_signs_in_as_the_demo_finance_officer_with_the_demo_code(client, db):
    seed_accounts()
    seed_demo()
    response = client.post(reverse("login"), {"username": "financien", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("home")).url.startswith(reverse("identity:verify"))
    response = client.post(reverse("identity:verify"), {"code": demo_code(), "next": "/"})
    assert response.status_code == 302 and response.url == "/"
    assert client.get(reverse("home")).status_code == 200


def test_demo_code_prints_the_code_only_with_debug_on(db, settings, capsys):
    settings.DEBUG = True
    call_command("demo_code")
    assert capsys.readouterr().out.strip() == demo_code()
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("demo_code")
