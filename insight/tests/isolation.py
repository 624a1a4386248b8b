"""How the isolation suite points this app's views at the other organisation's objects."""

from collections.abc import Callable

from tests.world import Organisation

# The monitor shows national aggregates to the monitor role and the administrator only;
# every municipal role and board gets 403 (tested in test_monitor.py).
UNPARAMETERISED_VIEWS: set[str] = {"insight:monitor", "insight:monitor-xlsx"}


def _municipality(other: Organisation) -> dict:
    return {"code": other.municipality.code}


OTHER_ORGANISATION_KWARGS: dict[str, Callable[[Organisation], dict]] = {
    "insight:golden-thread": _municipality,
    "insight:golden-thread-xlsx": _municipality,
}
