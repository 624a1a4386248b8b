"""How the isolation suite (tests/test_isolation.py) points this app's views at the other
organisation's objects."""

from collections.abc import Callable

from auditing.factories import AuditorGrantFactory, auditor_of
from tests.world import Organisation

# The auditor's own start page: it shows only the auditor's own access (others go home).
UNPARAMETERISED_VIEWS: set[str] = {"auditing:home"}


def _grant(other: Organisation) -> dict:
    # An auditor of its own, so that the suite's auditors get no access from this object.
    auditor = auditor_of(other.municipality, f"{other.municipality.code.lower()}-ander-kantoor")
    grant = AuditorGrantFactory(municipality=other.municipality, auditor=auditor)
    return {"code": other.municipality.code, "pk": grant.pk}


OTHER_ORGANISATION_KWARGS: dict[str, Callable[[Organisation], dict]] = {
    "auditing:grants": lambda other: {"code": other.municipality.code},
    "auditing:revoke": _grant,
}
