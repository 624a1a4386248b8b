"""The final position of a grant (issue 30): where the money ends, read from `finance_totals`
and never summed again here."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from accounts.models import Municipality
from finance.selectors.checks import IneligibleGroup, ineligible_summary
from finance.selectors.programme import ZERO
from finance.selectors.totals import FinanceTotals, GoalTotals, finance_totals
from plans.models import Programme


@dataclass(frozen=True)
class MemberPosition:
    """One municipality's part of a merged grant's final position."""

    municipality: Municipality
    allocation: Decimal
    received: Decimal
    eligible: Decimal
    ineligible: Decimal
    # The last year it accounted for in a report of its own; None for the successor itself.
    last_own_report_year: int | None


@dataclass(frozen=True)
class FinalPosition:
    """Where a municipality's grant ends: every figure from `finance_totals` over the whole
    programme (after a merger: every member's books, see `accounts_in_successor`)."""

    municipality: Municipality
    programme: Programme
    reference_date: datetime.date
    allocation: Decimal
    received: Decimal
    # Eligible spending: within the period and on the programme's goals, cumulative.
    eligible: Decimal
    ineligible: Decimal
    ineligible_by_reason: list[IneligibleGroup]
    goals: list[GoalTotals]
    members: list[MemberPosition]
    decision_reference: str = ""

    @property
    def unspent(self) -> Decimal:
        """Allocation not spent on eligible expenditures (never below zero: spending above
        the allocation is the municipality's own money)."""
        return max(ZERO, self.allocation - self.eligible)

    @property
    def expected_settlement(self) -> Decimal:
        """The expected vaststelling: the eligible spending, at most the allocation."""
        return min(self.eligible, self.allocation)

    @property
    def expected_reclaim(self) -> Decimal:
        """Received minus the expected vaststelling; negative: money still to receive."""
        return self.received - self.expected_settlement

    @property
    def is_provisional(self) -> bool:
        """Before the spending period ends, the position can still change."""
        return self.reference_date <= self.programme.end


def _last_own_report_year(member: Municipality) -> int | None:
    if member.valid_until is None:
        return None
    year = member.valid_until.year
    return year if member.valid_until == datetime.date(year, 12, 31) else year - 1


def final_position(
    *, municipality: Municipality, today: datetime.date | None = None
) -> FinalPosition:
    """The municipality's final position: allocation and received, the eligible spending
    over the whole period, the ineligible spending by reason, what is unspent, and the
    expected vaststelling and reclaim; from `finance_totals`, never summed again here."""
    return final_position_of(totals=finance_totals(municipality=municipality, today=today))


def final_position_of(*, totals: FinanceTotals) -> FinalPosition:
    """`final_position` from totals already computed (the report's own)."""
    municipality = totals.municipality
    members = [share.municipality for share in totals.shares] or [municipality]
    shares = totals.shares or [totals]
    return FinalPosition(
        municipality=municipality,
        programme=totals.programme,
        reference_date=totals.reference_date,
        allocation=totals.allocation,
        received=totals.received,
        eligible=totals.spent,
        ineligible=totals.ineligible,
        ineligible_by_reason=ineligible_summary(municipalities=members, year=None).per_reason,
        goals=totals.goals,
        members=[
            MemberPosition(
                municipality=share.municipality,
                allocation=share.allocation,
                received=share.received,
                eligible=share.spent,
                ineligible=share.ineligible,
                last_own_report_year=_last_own_report_year(share.municipality),
            )
            for share in shares
        ]
        if totals.shares
        else [],
        decision_reference=totals.decision_reference,
    )
