"""Access ends with the person: deactivating someone, or changing the role that allowed
their API tokens, revokes those tokens and ends their sessions at once, audit-logged;
disabling an identity provider ends the sessions signed in through it."""

import pytest
from django.urls import reverse

from accounts.models import Role, User
from api.models import ApiToken
from api.tests.conftest import make_token
from identity.models import AccountEvent, IdentityProvider, SignInMethod, UserSession

pytestmark = pytest.mark.django_db
TOTALS = "/api/v1/uitgaven/"


def call_api(client, secret: str):
    return client.get(TOTALS, HTTP_AUTHORIZATION=f"Bearer {secret}")


def signed_in(client_class, user):
    other = client_class()
    other.force_login(user)
    assert other.get(reverse("home")).status_code == 200
    return other


def admin_change(client, user: User, **changes):
    """POST the admin's change form of `user` as shown, with `changes`."""
    url = reverse("admin:accounts_user_change", args=[user.pk])
    form = client.get(url).context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if name in changes:
            value = changes[name]
        if isinstance(value, bool):
            if value:
                data[name] = "on"
            continue
        if value is None:
            value = ""
        if hasattr(value, "pk"):
            value = value.pk
        if isinstance(value, list | tuple):
            data[name] = [getattr(item, "pk", item) for item in value]
            continue
        data[name] = value
    response = client.post(url, data)
    assert response.status_code == 302, form.errors or response.context["adminform"].form.errors
    return response


def test_a_deactivated_finance_officers_token_stops_and_sessions_end(client, world):
    officer = world.middelburg.finance_officer
    issued = make_token(world.middelburg)
    assert call_api(client, issued.secret).status_code == 200
    session = signed_in(client.__class__, officer)
    key_user = world.middelburg.policy_officer
    User.objects.filter(pk=key_user.pk).update(is_key_user=True)
    client.force_login(key_user)
    client.post(reverse("identity:deactivate", kwargs={"pk": officer.pk}))

    assert call_api(client.__class__(), issued.secret).status_code == 401
    assert ApiToken.objects.get(pk=issued.token.pk).revoked_at is not None
    assert session.get(reverse("home")).status_code == 302  # back to the sign-in page
    event = AccountEvent.objects.get(subject=officer, action=AccountEvent.Action.DEACTIVATED)
    assert event.actor == key_user
    assert "1 API-token(s) ingetrokken: Key2" in event.detail


def test_a_role_changed_away_from_finance_in_the_admin_revokes_the_token(client, world):
    officer = world.middelburg.finance_officer
    issued = make_token(world.middelburg)
    session = signed_in(client.__class__, officer)
    client.force_login(world.functional_admin)
    admin_change(client, officer, role=Role.POLICY_OFFICER)

    assert call_api(client.__class__(), issued.secret).status_code == 401
    assert session.get(reverse("home")).status_code == 302
    event = AccountEvent.objects.get(subject=officer, action=AccountEvent.Action.SESSION_ENDED)
    assert event.actor == world.functional_admin and "role" in event.detail


def test_deactivating_in_the_admin_revokes_the_token(client, world):
    officer = world.middelburg.finance_officer
    issued = make_token(world.middelburg)
    client.force_login(world.functional_admin)
    admin_change(client, officer, is_active=False)
    assert ApiToken.objects.get(pk=issued.token.pk).revoked_at is not None
    assert AccountEvent.objects.filter(
        subject=officer, action=AccountEvent.Action.DEACTIVATED
    ).exists()


def test_a_token_stops_with_its_maker_even_where_no_service_revoked_it(client, world):
    """Defence in depth: the maker's access is checked at every call."""
    issued = make_token(world.middelburg)
    User.objects.filter(pk=world.middelburg.finance_officer.pk).update(is_active=False)
    response = call_api(client, issued.secret)
    assert response.status_code == 401
    assert "geen toegang meer" in response.content.decode()


def test_a_role_change_that_keeps_token_rights_keeps_the_token(client, world):
    officer = world.middelburg.finance_officer
    User.objects.filter(pk=officer.pk).update(is_key_user=True)
    issued = make_token(world.middelburg)
    client.force_login(world.functional_admin)
    admin_change(client, User.objects.get(pk=officer.pk), role=Role.POLICY_OFFICER)
    assert call_api(client.__class__(), issued.secret).status_code == 200  # still key user


def test_disabling_a_provider_ends_its_users_sessions(client, world):
    provider = IdentityProvider.objects.create(
        name="Gemeente Middelburg",
        slug="middelburg",
        municipality=world.middelburg.municipality,
        issuer="https://login.middelburg.example",
        client_id="npo",
        client_secret_variable="NPO_OIDC_SECRET",
    )
    officer = world.middelburg.policy_officer
    through_provider = client.__class__()
    through_provider.force_login(officer)
    record = UserSession.objects.get(user=officer)
    record.provider = provider
    record.method = SignInMethod.PROVIDER
    record.save()
    with_password = signed_in(client.__class__, world.middelburg.finance_officer)

    client.force_login(world.functional_admin)
    url = reverse("admin:identity_identityprovider_change", args=[provider.pk])
    form = client.get(url).context["adminform"].form
    data = {
        name: ("" if value is None else getattr(value, "pk", value))
        for name, value in {**form.initial}.items()
        if name in form.fields and not isinstance(value, bool)
    }
    data.update(
        {
            "role_mappings-TOTAL_FORMS": "0",
            "role_mappings-INITIAL_FORMS": "0",
            "role_mappings-MIN_NUM_FORMS": "0",
            "role_mappings-MAX_NUM_FORMS": "1000",
        }
    )
    response = client.post(url, data)  # "enabled" left out: unticked
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert not IdentityProvider.objects.get().enabled

    assert through_provider.get(reverse("home")).status_code == 302
    assert with_password.get(reverse("home")).status_code == 200
    assert AccountEvent.objects.filter(
        subject=officer, action=AccountEvent.Action.SESSION_ENDED, actor=world.functional_admin
    ).exists()
