"""Signing in through the organisation's own provider, in Chromium, against a real OpenID
Connect provider (oidc-provider from the npm registry) on 127.0.0.1, and signing out of both."""

import re

import pytest

from accounts.models import Role, User
from identity.models import IdentityProvider, RoleMapping
from tests.browser.conftest import assert_accessible, screenshot
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, running_provider

pytestmark = [
    pytest.mark.browser,
    pytest.mark.oidc_provider,
    pytest.mark.two_factor,  # a finance officer, yet not asked for a second factor
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(scope="session")
def provider_for_live_server(live_server):
    with running_provider(
        redirect_uris=[f"{live_server.url}/inloggen/organisatie/terug/"],
        logout_uris=[f"{live_server.url}/inloggen/"],
    ) as issuer:
        yield issuer


@pytest.fixture
def portal_page(browser, live_server):
    """A tab that reaches only 127.0.0.1 and localhost (the provider's page asks for a web
    font elsewhere), failing the test on any error the portal's pages log."""
    context = browser.new_context(base_url=live_server.url, locale="nl-NL")
    context.set_default_timeout(10_000)
    context.route(re.compile(r"^https?://(?!127\.0\.0\.1|localhost)"), lambda route: route.abort())
    page = context.new_page()
    errors = []
    page.on(
        "console",
        lambda message: (
            message.type == "error"
            and page.url.startswith(live_server.url)
            and errors.append(message.text)
        ),
    )
    yield page
    context.close()
    assert not errors, "The portal's pages reported errors:\n" + "\n".join(errors)


def test_finance_officer_signs_in_at_their_organisations_provider_and_out_of_both(
    portal_page, live_server, reference_data, world, provider_for_live_server
):
    page = portal_page
    provider = IdentityProvider(
        name="Gemeente Middelburg",
        slug="middelburg",
        municipality=world.middelburg.municipality,
        issuer=provider_for_live_server,
        client_id=CLIENT_ID,
        scopes="openid email profile groups",
    )
    provider.set_client_secret(CLIENT_SECRET)  # stored encrypted, as the admin does
    provider.save()
    RoleMapping.objects.create(
        provider=provider, claim_value="npo-financien", role=Role.FINANCE_OFFICER
    )

    page.goto("/inloggen/")
    assert_accessible(page)
    screenshot(page, "login-met-organisatie")
    page.set_viewport_size({"width": 320, "height": 640})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    screenshot(page, "login-met-organisatie-320px")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("link", name="Inloggen via Gemeente Middelburg").click()
    # The provider's own login page.
    page.wait_for_url(lambda url: url.startswith(provider_for_live_server))
    page.get_by_placeholder("Enter any login").fill("anna")
    page.get_by_placeholder("and password").fill("geheim")
    page.get_by_role("button", name="Sign-in").click()

    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("heading", level=1).inner_text()
    body = page.content()
    assert "Anna Jansen" in body and "Uw rol: Financieel medewerker" in body
    user = User.objects.get(external_identity__subject="anna")
    assert user.role == Role.FINANCE_OFFICER and user.municipality == world.middelburg.municipality
    assert "/profiel/tweestapsverificatie/" not in page.url
    assert_accessible(page)
    screenshot(page, "home-via-organisatie")

    page.get_by_role("button", name="Uitloggen").click()
    # The provider asks to confirm ending its session too, then sends the browser back.
    page.wait_for_url(lambda url: url.startswith(provider_for_live_server))
    page.get_by_role("button", name="Yes, sign me out").click()
    page.wait_for_url(
        lambda url: "/inloggen/" in url and not url.startswith(provider_for_live_server)
    )

    # Signed out at the provider as well: it asks for the login again.
    page.get_by_role("link", name="Inloggen via Gemeente Middelburg").click()
    page.wait_for_url(lambda url: url.startswith(provider_for_live_server))
    assert page.get_by_placeholder("Enter any login").is_visible()
