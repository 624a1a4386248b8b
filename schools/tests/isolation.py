"""How the isolation suite (tests/test_isolation.py) points this app's views at the other
organisation's objects. Every named URL of the app belongs in one of these two."""

from collections.abc import Callable

from tests.world import Organisation

UNPARAMETERISED_VIEWS: set[str] = set()

OTHER_ORGANISATION_KWARGS: dict[str, Callable[[Organisation], dict]] = {}
