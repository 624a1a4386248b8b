"""What the end of a grant looks like: the decision beside the portal's own figures, and the
state of the closing. Every euro comes from `finance.selectors.final_position`, which reads
`finance_totals`; here amounts are only compared, never added up."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from accounts.models import Municipality
from finance.selectors import FinalPosition, final_position, finance_programme
from settlement.models import Closure, Repayment, Settlement

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Component:
    """One figure of the decision against the portal's expectation."""

    name: str
    decision: Decimal
    expected: Decimal

    @property
    def difference(self) -> Decimal:
        """The decision minus the portal's figure."""
        return self.decision - self.expected

    @property
    def differs(self) -> bool:
        return self.difference != ZERO


COMPONENTS = (
    ("allocation", _("Allocation")),
    ("received", _("Advance payments received")),
    ("amount_set", _("Amount set (vaststelling)")),
    ("amount_to_repay", _("To repay (negative: to receive)")),
)


def components(*, settlement: Settlement) -> list[Component]:
    """The decision's figures beside the portal's expected ones as recorded with it."""
    return [
        Component(
            name=str(label),
            decision=getattr(settlement, field),
            expected=getattr(settlement, f"expected_{field}"),
        )
        for field, label in COMPONENTS
    ]


def expected_figures(*, position: FinalPosition) -> dict[str, Decimal]:
    """The portal's expected decision, by the component names of `Settlement`."""
    return {
        "allocation": position.allocation,
        "received": position.received,
        "amount_set": position.expected_settlement,
        "amount_to_repay": position.expected_reclaim,
    }


def settlement_for(*, municipality: Municipality) -> Settlement | None:
    return (
        Settlement.objects.filter(municipality=municipality, programme=finance_programme())
        .select_related("recorded_by", "municipality")
        .first()
    )


def repayment_for(*, settlement: Settlement | None) -> Repayment | None:
    if settlement is None:
        return None
    return Repayment.objects.filter(settlement=settlement).select_related("recorded_by").first()


def is_paid(*, settlement: Settlement | None) -> bool:
    """Settled in money: the repayment is recorded, or the decision leaves nothing to pay."""
    if settlement is None:
        return False
    return settlement.amount_to_repay == ZERO or repayment_for(settlement=settlement) is not None


def current_closure(*, municipality: Municipality) -> Closure | None:
    return (
        Closure.objects.current()
        .filter(municipality=municipality)
        .select_related("closed_by")
        .first()
    )


def closure_log(*, municipality: Municipality) -> list[Closure]:
    """Every closing and reopening of the municipality's programme, newest first."""
    return list(
        Closure.objects.filter(municipality=municipality)
        .select_related("closed_by", "reopened_by")
        .order_by("-closed_at", "-pk")
    )


@dataclass
class SettlementPage:
    position: FinalPosition
    settlement: Settlement | None
    components: list[Component]
    repayment: Repayment | None
    closure: Closure | None
    log: list[Closure]

    @property
    def differs(self) -> bool:
        return any(c.differs for c in self.components)

    @property
    def paid(self) -> bool:
        return self.settlement is not None and (
            self.settlement.amount_to_repay == ZERO or self.repayment is not None
        )


def settlement_page(*, municipality: Municipality) -> SettlementPage:
    """Everything the settlement page shows for `municipality`."""
    settlement = settlement_for(municipality=municipality)
    return SettlementPage(
        position=final_position(municipality=municipality),
        settlement=settlement,
        components=components(settlement=settlement) if settlement else [],
        repayment=repayment_for(settlement=settlement),
        closure=current_closure(municipality=municipality),
        log=closure_log(municipality=municipality),
    )
