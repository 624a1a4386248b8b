"""An organisation's OpenID Connect client secret is stored encrypted (Fernet, keys from
settings), used only when sent to the provider, and never shown back."""

from urllib.parse import urlparse

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from accounts.models import Role, User
from identity.models import AccountEvent, ExternalIdentity, IdentityProvider, RoleMapping
from identity.tests.conftest import PORTAL
from npo_portal import encryption
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, sign_in_at_provider

SECRET = "s3cr3t-of-gemeente-middelburg-0687"


@pytest.fixture
def keys(settings):
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    return settings


def stored_column(provider) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT client_secret_encrypted FROM identity_identityprovider WHERE id = %s",
            [provider.pk],
        )
        return cursor.fetchone()[0]


def path_of(url: str) -> str:
    parsed = urlparse(url)
    return f"{parsed.path}?{parsed.query}"


def new_provider(world, issuer="https://login.middelburg.example", **kwargs) -> IdentityProvider:
    return IdentityProvider(
        name="Gemeente Middelburg",
        slug="middelburg",
        municipality=world.middelburg.municipality,
        issuer=issuer,
        client_id=CLIENT_ID,
        **kwargs,
    )


def test_the_secret_is_stored_encrypted_and_read_back_only_by_the_model(world, keys):
    provider = new_provider(world)
    provider.set_client_secret(SECRET)
    provider.save()
    column = stored_column(provider)
    assert SECRET not in column and column.startswith("gAAAAA")  # a Fernet token
    assert IdentityProvider.objects.get(pk=provider.pk).client_secret == SECRET


def test_a_secret_under_another_key_is_unreadable_not_garbage(world, keys):
    provider = new_provider(world)
    provider.set_client_secret(SECRET)
    provider.save()
    keys.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(encryption.UnreadableSecret):
        IdentityProvider.objects.get(pk=provider.pk).client_secret  # noqa: B018
    assert (
        "geen ingestelde sleutel" in IdentityProvider.objects.get(pk=provider.pk).client_secret_hint
    )


def test_a_new_key_first_still_reads_the_old_secrets_and_rotation_moves_them(world, keys):
    old = keys.FIELD_ENCRYPTION_KEYS[0]
    provider = new_provider(world)
    provider.set_client_secret(SECRET)
    provider.save()
    new = Fernet.generate_key().decode()
    keys.FIELD_ENCRYPTION_KEYS = [new, old]
    assert IdentityProvider.objects.get(pk=provider.pk).client_secret == SECRET

    call_command("rotate_encrypted_secrets")
    keys.FIELD_ENCRYPTION_KEYS = [new]
    assert IdentityProvider.objects.get(pk=provider.pk).client_secret == SECRET


def test_without_keys_one_is_derived_from_the_secret_key(world, settings):
    settings.FIELD_ENCRYPTION_KEYS = []
    token = encryption.encrypt(SECRET)
    assert encryption.decrypt(token) == SECRET
    settings.SECRET_KEY = "another-secret-key-" * 3
    with pytest.raises(encryption.UnreadableSecret):
        encryption.decrypt(token)


def test_the_environment_variable_is_used_when_nothing_is_stored(world, monkeypatch):
    monkeypatch.setenv("NPO_TEST_SECRET", SECRET)
    provider = new_provider(world, client_secret_variable="NPO_TEST_SECRET")
    assert provider.client_secret == SECRET
    assert provider.client_secret_hint == "uit de omgevingsvariabele NPO_TEST_SECRET"


def admin_client(client, world):
    client.force_login(world.functional_admin)
    return client


def admin_data(world, **overrides) -> dict:
    data = {
        "name": "Gemeente Middelburg",
        "slug": "middelburg",
        "enabled": "on",
        "municipality": world.middelburg.municipality.pk,
        "school_board": "",
        "issuer": "https://login.middelburg.example",
        "client_id": CLIENT_ID,
        "client_secret": "",
        "client_secret_variable": "",
        "scopes": "openid email profile",
        "subject_claim": "sub",
        "email_claim": "email",
        "role_claim": "groups",
        "role_mappings-TOTAL_FORMS": "0",
        "role_mappings-INITIAL_FORMS": "0",
        "role_mappings-MIN_NUM_FORMS": "0",
        "role_mappings-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def test_the_admin_stores_the_secret_encrypted_and_never_shows_it_back(client, world, keys):
    client = admin_client(client, world)
    response = client.post(
        reverse("admin:identity_identityprovider_add"), admin_data(world, client_secret=SECRET)
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    provider = IdentityProvider.objects.get()
    assert provider.client_secret == SECRET and SECRET not in stored_column(provider)

    page = client.get(reverse("admin:identity_identityprovider_change", args=[provider.pk]))
    html = page.content.decode()
    assert SECRET not in html and provider.client_secret_encrypted not in html
    assert "versleuteld opgeslagen (••••0687)" in html

    # Saving with the field left empty keeps the stored secret.
    client.post(
        reverse("admin:identity_identityprovider_change", args=[provider.pk]), admin_data(world)
    )
    assert IdentityProvider.objects.get().client_secret == SECRET


def test_the_admin_removes_the_secret_only_when_another_source_is_given(client, world, keys):
    client = admin_client(client, world)
    provider = new_provider(world)
    provider.set_client_secret(SECRET)
    provider.save()
    url = reverse("admin:identity_identityprovider_change", args=[provider.pk])

    response = client.post(url, admin_data(world, remove_client_secret="on"))
    assert response.status_code == 200
    assert "Vul het client secret in" in response.content.decode()
    assert IdentityProvider.objects.get().client_secret == SECRET

    response = client.post(
        url, admin_data(world, remove_client_secret="on", client_secret_variable="NPO_SECRET")
    )
    assert response.status_code == 302
    provider.refresh_from_db()
    assert provider.client_secret_encrypted == "" and provider.client_secret_variable


@pytest.mark.oidc_provider
def test_sign_in_works_with_the_encrypted_secret_at_a_real_provider(
    client, world, keys, oidc_issuer
):
    provider = new_provider(world, issuer=oidc_issuer, scopes="openid email profile groups")
    provider.set_client_secret(CLIENT_SECRET)
    provider.save()
    RoleMapping.objects.create(
        provider=provider, claim_value="npo-financien", role=Role.FINANCE_OFFICER
    )
    start = client.get(reverse("identity:oidc-start", kwargs={"slug": provider.slug}))
    back = sign_in_at_provider(start.url, login="anna", portal_prefix=PORTAL)
    response = client.get(path_of(back))
    assert response.status_code == 302 and response.url == reverse("home")
    assert User.objects.filter(external_identity__subject="anna").exists()


@pytest.mark.oidc_provider
def test_an_undecryptable_secret_refuses_the_sign_in_and_creates_nothing(
    client, world, keys, oidc_issuer
):
    provider = new_provider(world, issuer=oidc_issuer, scopes="openid email profile groups")
    provider.set_client_secret(CLIENT_SECRET)
    provider.save()
    RoleMapping.objects.create(
        provider=provider, claim_value="npo-financien", role=Role.FINANCE_OFFICER
    )
    start = client.get(reverse("identity:oidc-start", kwargs={"slug": provider.slug}))
    back = sign_in_at_provider(start.url, login="anna", portal_prefix=PORTAL)
    keys.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]  # the key was lost
    before = User.objects.count(), ExternalIdentity.objects.count(), AccountEvent.objects.count()
    response = client.get(path_of(back))
    assert response.status_code == 403
    assert "niet goed ingesteld" in response.content.decode()
    assert before == (
        User.objects.count(),
        ExternalIdentity.objects.count(),
        AccountEvent.objects.count(),
    )
