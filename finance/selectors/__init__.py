"""What the grant's money looks like, by subdomain: `totals` (THE totals function),
`spending` (the spending summary added up, also for the expenditure list's total), `lists`
(the expenditure list, its pages and the history), `checks` (ineligible expenditures,
allocations off the formula) and `programme` (the programme, cents and months).

`finance_totals` is the one place that sums euros; the dashboard, the exports and the
accountability reports read it and never add up amounts themselves. Callers import the
public names from here.
"""

from finance.selectors.checks import (
    ELIGIBILITY_LABELS,
    FORMULA_TOLERANCE,
    IneligibleGroup,
    IneligibleSummary,
    allocations_off_formula,
    ineligible_expenditures,
    ineligible_summary,
)
from finance.selectors.lists import (
    COUNT_CAP,
    LIST_FIELDS,
    ORDERS,
    ExpenditureFilters,
    FilterOption,
    KeysetPage,
    closed_years,
    expenditure_list_options,
    expenditure_years,
    expenditures_for,
    finance_history,
    keyset_page,
)
from finance.selectors.position import (
    FinalPosition,
    MemberPosition,
    final_position,
    final_position_of,
)
from finance.selectors.programme import CENT, ZERO, cents, finance_programme
from finance.selectors.spending import ListTotals, expenditure_list_totals
from finance.selectors.totals import (
    RECENT_MONTHS,
    FinanceTotals,
    GoalTotals,
    InterventionTotals,
    MonthTotals,
    ScheduledPayment,
    YearTotals,
    accounts_in_successor,
    expected_payments,
    finance_totals,
)

__all__ = [
    "CENT",
    "COUNT_CAP",
    "ELIGIBILITY_LABELS",
    "FORMULA_TOLERANCE",
    "LIST_FIELDS",
    "ORDERS",
    "RECENT_MONTHS",
    "ZERO",
    "ExpenditureFilters",
    "FilterOption",
    "FinalPosition",
    "FinanceTotals",
    "GoalTotals",
    "IneligibleGroup",
    "IneligibleSummary",
    "InterventionTotals",
    "KeysetPage",
    "ListTotals",
    "MemberPosition",
    "MonthTotals",
    "ScheduledPayment",
    "YearTotals",
    "accounts_in_successor",
    "allocations_off_formula",
    "cents",
    "closed_years",
    "expected_payments",
    "expenditure_list_options",
    "expenditure_list_totals",
    "expenditure_years",
    "expenditures_for",
    "final_position",
    "final_position_of",
    "finance_history",
    "finance_programme",
    "finance_totals",
    "ineligible_expenditures",
    "ineligible_summary",
    "keyset_page",
]
