import pytest

from tests.oidc_provider import running_provider

PORTAL = "http://testserver"
CALLBACK = f"{PORTAL}/inloggen/organisatie/terug/"


@pytest.fixture(scope="session")
def oidc_issuer():
    """The organisation's provider: a real oidc-provider on 127.0.0.1."""
    with running_provider(redirect_uris=[CALLBACK], logout_uris=[f"{PORTAL}/inloggen/"]) as issuer:
        yield issuer


@pytest.fixture(scope="session")
def other_oidc_issuer():
    """A second, unrelated provider: another issuer with its own signing key."""
    with running_provider(redirect_uris=[CALLBACK]) as issuer:
        yield issuer
