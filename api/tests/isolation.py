"""How the isolation suite (tests/test_isolation.py) points this app's pages at the other
organisation's tokens. The API endpoints themselves are checked token by token in
tests/test_api_isolation.py."""

from collections.abc import Callable

from api.models import ApiToken
from tests.world import Organisation

UNPARAMETERISED_VIEWS: set[str] = set()


def _municipality(other: Organisation) -> dict:
    return {"code": other.municipality.code}


def _token(other: Organisation) -> dict:
    from api.tests.conftest import make_token

    token = ApiToken.objects.filter(municipality=other.municipality).first()
    if token is None:
        token = make_token(other, name="Isolatie").token
    return {"code": other.municipality.code, "pk": token.pk}


OTHER_ORGANISATION_KWARGS: dict[str, Callable[[Organisation], dict]] = {
    "api-tokens:list": _municipality,
    "api-tokens:revoke": _token,
}
