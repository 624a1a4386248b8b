"""How the isolation suite (tests/test_isolation.py) points this app's views at the other
organisation's objects: its decision (with a letter) exists, so a refusal is a refusal and
not an absence."""

from collections.abc import Callable

from django.core.files.base import ContentFile

from settlement.factories import SettlementFactory
from settlement.models import Settlement
from tests.world import Organisation

UNPARAMETERISED_VIEWS: set[str] = set()


def _with_settlement(other: Organisation) -> dict:
    if not Settlement.objects.filter(municipality=other.municipality).exists():
        settlement = SettlementFactory(municipality=other.municipality)
        settlement.letter.save("brief.pdf", ContentFile(b"%PDF-1.7 isolatie"), save=True)
    return {"code": other.municipality.code}


OTHER_ORGANISATION_KWARGS: dict[str, Callable[[Organisation], dict]] = {
    "settlement:detail": _with_settlement,
    "settlement:record": _with_settlement,
    "settlement:letter": _with_settlement,
    "settlement:repayment": _with_settlement,
    "settlement:close": _with_settlement,
    "settlement:reopen": _with_settlement,
}
