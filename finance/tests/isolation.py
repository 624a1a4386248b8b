"""How the isolation suite (tests/test_isolation.py) points this app's views at the other
organisation's objects. Every named URL of the app belongs in one of these two."""

from collections.abc import Callable

from finance.factories import ExpenditureFactory
from finance.models import Expenditure, ExpenditureImport
from tests.world import Organisation

# index redirects to the user's own dashboard; allocation-list is the functional
# administrator's alone (everyone else gets 403).
# allocation-import likewise (403 for the municipal roles).
UNPARAMETERISED_VIEWS: set[str] = {
    "finance:index",
    "finance:allocation-list",
    "finance:allocation-import",
}


def _expenditure(other: Organisation) -> dict:
    expenditure = Expenditure.objects.filter(
        municipality=other.municipality, invoice_number="ISOLATIE-1"
    ).first() or ExpenditureFactory(municipality=other.municipality, invoice_number="ISOLATIE-1")
    return {"code": other.municipality.code, "pk": expenditure.pk}


def _import(other: Organisation) -> dict:
    job = ExpenditureImport.objects.filter(municipality=other.municipality).first()
    if job is None:
        job = ExpenditureImport.objects.create(
            municipality=other.municipality, file_name="isolatie.csv", size=0, sha256="0" * 64
        )
    return {"code": other.municipality.code, "pk": job.pk}


def _municipality(other: Organisation) -> dict:
    return {"code": other.municipality.code}


OTHER_ORGANISATION_KWARGS: dict[str, Callable[[Organisation], dict]] = {
    "finance:dashboard": _municipality,
    "finance:expenditure-list": _municipality,
    "finance:expenditure-create": _municipality,
    "finance:expenditure-export": lambda other: {"code": other.municipality.code, "fmt": "csv"},
    "finance:expenditure-update": _expenditure,
    "finance:expenditure-delete": _expenditure,
    "finance:import": _municipality,
    "finance:import-template": lambda other: {"code": other.municipality.code, "fmt": "csv"},
    "finance:import-detail": _import,
    "finance:import-abandon": _import,
    "finance:payment-list": _municipality,
    "finance:history": _municipality,
    "finance:payment-create": _municipality,
}
