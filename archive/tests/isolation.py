"""How the isolation suite (tests/test_isolation.py) points this app's views at the other
organisation's objects. Every named URL of the app belongs in one of these two."""

import datetime
from collections.abc import Callable

from archive.models import ArchivePackage, DestructionList, PackageStatus
from tests.world import Organisation

# The destruction index lists the functional administrator's lists (everyone else is sent to
# their own municipality's or refused).
UNPARAMETERISED_VIEWS: set[str] = {"archive:index", "archive:destruction-index"}


def _municipality(other: Organisation) -> dict:
    return {"code": other.municipality.code}


def _package(other: Organisation) -> dict:
    package = ArchivePackage.objects.create(
        municipality=other.municipality, status=PackageStatus.DONE, file="archive/NPO.zip"
    )
    return {"code": other.municipality.code, "pk": package.pk}


def _destruction_list(other: Organisation) -> dict:
    destruction_list = DestructionList.objects.filter(municipality=other.municipality).first()
    if destruction_list is None:
        destruction_list = DestructionList.objects.create(
            municipality=other.municipality,
            municipality_code=other.municipality.code,
            municipality_name=other.municipality.name,
            settled_on=datetime.date(2028, 3, 1),
        )
    return {"code": other.municipality.code, "pk": destruction_list.pk}


OTHER_ORGANISATION_KWARGS: dict[str, Callable[[Organisation], dict]] = {
    "archive:package-list": _municipality,
    "archive:package-download": _package,
    "archive:destruction-list": _municipality,
    "archive:destruction-detail": _destruction_list,
}
