"""Sign-in through the organisation's own OpenID Connect provider, against a real provider
(oidc-provider from the npm registry) on 127.0.0.1: provisioning, claim mapping, refusals."""

import base64
import hashlib
import secrets
import time
from urllib.parse import parse_qs, urlencode, urlparse, urlunparse

import pytest
import requests
from django.core.exceptions import SuspiciousOperation
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import Role, User
from identity import oidc
from identity.models import AccountEvent, ExternalIdentity, IdentityProvider, RoleMapping
from identity.tests.conftest import CALLBACK, PORTAL
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, OTHER_CLIENT_ID, sign_in_at_provider

pytestmark = pytest.mark.oidc_provider

SECRET_VARIABLE = "NPO_TEST_OIDC_CLIENT_SECRET"


@pytest.fixture
def provider(world, oidc_issuer, monkeypatch):
    monkeypatch.setenv(SECRET_VARIABLE, CLIENT_SECRET)
    provider = IdentityProvider.objects.create(
        name="Gemeente Middelburg",
        slug="middelburg",
        municipality=world.middelburg.municipality,
        issuer=oidc_issuer,
        client_id=CLIENT_ID,
        client_secret_variable=SECRET_VARIABLE,
        scopes="openid email profile groups",
    )
    RoleMapping.objects.create(
        provider=provider, claim_value="npo-financien", role=Role.FINANCE_OFFICER
    )
    RoleMapping.objects.create(
        provider=provider, claim_value="npo-beleid", role=Role.POLICY_OFFICER
    )
    return provider


def start(client, provider) -> str:
    response = client.get(reverse("identity:oidc-start", kwargs={"slug": provider.slug}))
    assert response.status_code == 302
    assert response.url.startswith(provider.issuer + "/auth?")
    return response.url


def answer(client, callback_url):
    parsed = urlparse(callback_url)
    return client.get(f"{parsed.path}?{parsed.query}")


def sign_in(client, provider, login):
    """The whole way: portal → provider's login page → back to the portal."""
    callback_url = sign_in_at_provider(start(client, provider), login=login, portal_prefix=PORTAL)
    return answer(client, callback_url), callback_url


def counts():
    return User.objects.count(), ExternalIdentity.objects.count(), AccountEvent.objects.count()


@pytest.mark.two_factor
def test_first_sign_in_provisions_the_user_with_the_mapped_role(client, provider, world):
    response, _url = sign_in(client, provider, "anna")
    assert response.status_code == 302 and response.url == reverse("home")
    user = User.objects.get(external_identity__provider=provider, external_identity__subject="anna")
    assert (user.role, user.municipality, user.email, user.get_full_name()) == (
        Role.FINANCE_OFFICER,
        world.middelburg.municipality,
        "anna.jansen@middelburg.nl",
        "Anna Jansen",
    )
    assert not (user.is_staff or user.is_superuser or user.has_usable_password())
    # A finance officer, yet not asked for a second factor: the provider signed her in.
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert "Middelburg" in home.content.decode()
    assert AccountEvent.objects.filter(
        subject=user, action=AccountEvent.Action.PROVISIONED
    ).exists()

    client.post(reverse("logout"))
    before = counts()
    sign_in(client, provider, "anna")
    assert counts()[:2] == before[:2]  # the same user, not a second one


def test_the_role_follows_the_claims_at_every_sign_in(client, provider):
    sign_in(client, provider, "bram")
    user = User.objects.get(external_identity__subject="bram")
    assert user.role == Role.POLICY_OFFICER
    RoleMapping.objects.filter(provider=provider, claim_value="npo-beleid").update(
        role=Role.FINANCE_OFFICER
    )
    client.post(reverse("logout"))
    sign_in(client, provider, "bram")
    user.refresh_from_db()
    assert user.role == Role.FINANCE_OFFICER


@pytest.mark.parametrize("login", ["carla", "mallory", "nobody"])
def test_claims_that_map_to_no_role_are_refused_and_nothing_is_created(client, provider, login):
    before = counts()
    response, _url = sign_in(client, provider, login)
    assert response.status_code == 403
    assert "geen rol in het NPO Portal" in response.content.decode()
    assert counts() == before
    assert "_auth_user_id" not in client.session


def test_no_mapping_can_make_anyone_a_functional_administrator(provider):
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleMapping.objects.create(
            provider=provider, claim_value="npo-beheer", role=Role.FUNCTIONAL_ADMIN
        )


def test_a_replayed_state_is_refused(client, provider, django_user_model):
    response, callback_url = sign_in(client, provider, "anna")
    assert response.status_code == 302
    client.post(reverse("logout"))
    before = counts()
    replay = answer(client, callback_url)
    assert replay.status_code == 400
    assert "al gebruikt" in replay.content.decode()
    assert "_auth_user_id" not in client.session
    # Nor in another browser that never started this sign-in.
    assert answer(client.__class__(), callback_url).status_code == 400
    assert counts() == before


def test_an_expired_id_token_is_refused(client, provider, monkeypatch):
    before = counts()
    callback_url = sign_in_at_provider(start(client, provider), login="anna", portal_prefix=PORTAL)
    # The portal checks the token two hours later than it was issued (valid for one hour).
    monkeypatch.setattr(oidc, "current_time", lambda: time.time() + 2 * 60 * 60)
    response = answer(client, callback_url)
    assert response.status_code == 403
    assert "kon niet worden gecontroleerd" in response.content.decode()
    assert counts() == before


def test_a_code_issued_to_another_audience_is_refused(client, provider):
    """The authorisation request is altered to another client of the same provider."""
    before = counts()
    url = urlparse(start(client, provider))
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    query["client_id"] = OTHER_CLIENT_ID
    altered = urlunparse(url._replace(query=urlencode(query)))
    response = answer(client, sign_in_at_provider(altered, login="anna", portal_prefix=PORTAL))
    assert response.status_code == 403
    assert counts() == before


def test_an_answer_from_an_unknown_issuer_is_refused(client, provider, other_oidc_issuer):
    """A mix-up: the portal's request is sent to another provider, whose answer comes back."""
    before = counts()
    url = urlparse(start(client, provider))
    mixed_up = f"{other_oidc_issuer}/auth?{url.query}"
    callback_url = sign_in_at_provider(mixed_up, login="anna", portal_prefix=PORTAL)
    assert parse_qs(urlparse(callback_url).query)["iss"] == [other_oidc_issuer]
    response = answer(client, callback_url)
    assert response.status_code == 403
    assert "identity provider die het portaal niet kent" in response.content.decode()
    assert counts() == before


def test_an_answer_from_an_unknown_issuer_without_its_name_is_refused_too(
    client, provider, other_oidc_issuer
):
    before = counts()
    url = urlparse(start(client, provider))
    callback_url = sign_in_at_provider(
        f"{other_oidc_issuer}/auth?{url.query}", login="anna", portal_prefix=PORTAL
    )
    parsed = urlparse(callback_url)
    query = {k: v[0] for k, v in parse_qs(parsed.query).items() if k != "iss"}
    response = client.get(f"{parsed.path}?{urlencode(query)}")
    assert response.status_code == 403
    assert counts() == before


# The ID token checks themselves, on real tokens of the real providers.


def real_id_token(issuer: str, client_id: str) -> tuple[str, str]:
    """An ID token issued by `issuer` to `client_id` for anna, and its nonce."""
    verifier, nonce = secrets.token_urlsafe(48), secrets.token_urlsafe(16)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": CALLBACK,
        "scope": "openid email",
        "state": "s",
        "nonce": nonce,
        "code_challenge": challenge.decode(),
        "code_challenge_method": "S256",
    }
    back = sign_in_at_provider(
        f"{issuer}/auth?{urlencode(params)}", login="anna", portal_prefix=PORTAL
    )
    code = parse_qs(urlparse(back).query)["code"][0]
    tokens = requests.post(
        f"{issuer}/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": CALLBACK,
            "client_id": client_id,
            "client_secret": CLIENT_SECRET,
            "code_verifier": verifier,
        },
        timeout=10,
    ).json()
    return tokens["id_token"], nonce


def verify(provider, token, nonce):
    backend = oidc.OrganisationOIDCBackend()
    backend._configure(provider)
    return backend.verify_token(token, nonce=nonce)


def test_the_portal_accepts_its_own_real_token(provider):
    token, nonce = real_id_token(provider.issuer, CLIENT_ID)
    assert verify(provider, token, nonce)["sub"] == "anna"


def test_a_token_for_another_audience_is_refused(provider):
    token, nonce = real_id_token(provider.issuer, OTHER_CLIENT_ID)
    with pytest.raises(SuspiciousOperation, match=r"(?i)audience"):
        verify(provider, token, nonce)


def test_a_token_of_another_issuer_is_refused(provider, other_oidc_issuer):
    token, nonce = real_id_token(other_oidc_issuer, CLIENT_ID)
    with pytest.raises(SuspiciousOperation):
        verify(provider, token, nonce)


def test_a_token_with_another_nonce_is_refused(provider):
    token, _nonce = real_id_token(provider.issuer, CLIENT_ID)
    with pytest.raises(SuspiciousOperation, match="Nonce"):
        verify(provider, token, "another-nonce")


def test_a_deactivated_user_cannot_sign_in_through_the_provider(client, provider):
    sign_in(client, provider, "anna")
    client.post(reverse("logout"))
    User.objects.filter(external_identity__subject="anna").update(is_active=False)
    response, _url = sign_in(client, provider, "anna")
    assert response.status_code == 403
    assert "gedeactiveerd" in response.content.decode()


def test_logout_also_ends_the_session_at_the_provider(client, provider):
    sign_in(client, provider, "anna")
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    end = urlparse(response.url)
    assert f"{end.scheme}://{end.netloc}{end.path}" == f"{provider.issuer}/session/end"
    query = parse_qs(end.query)
    assert query["post_logout_redirect_uri"] == [f"{PORTAL}/inloggen/"]
    assert query["id_token_hint"]
    assert "_auth_user_id" not in client.session
    # The provider accepts the request: it asks the user to confirm signing out there.
    confirm = requests.get(response.url, timeout=10)
    assert confirm.status_code == 200 and "logout" in confirm.text.lower()


def test_login_page_offers_each_organisations_provider(client, provider):
    page = client.get(reverse("login")).content.decode()
    assert "Inloggen via uw organisatie" in page
    assert reverse("identity:oidc-start", kwargs={"slug": "middelburg"}) in page
    assert "Inloggen via Gemeente Middelburg" in page
