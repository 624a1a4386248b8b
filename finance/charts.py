"""The finance pages' charts, drawn from the totals (never from a second sum)."""

from django.utils import formats
from django.utils.translation import gettext as _

from finance.selectors import FinanceTotals
from npo_portal.charts import Chart, Series, bar_chart, line_chart


def spending_against_payments(totals: FinanceTotals) -> Chart:
    """Cumulative eligible spending per month against cumulative payments received and
    expected."""
    months = totals.months
    return line_chart(
        title=_("Spending against payments, cumulative per month"),
        description=_(
            "Cumulative eligible spending, payments received and payments expected per month "
            "of the spending period; the table below gives the numbers."
        ),
        labels=[formats.date_format(m.month, "m-y") for m in months],
        # Received is wide with a dot per payment, expected thin, dashed and drawn last:
        # where they coincide, the dashes run inside the wide line and both show.
        series=[
            Series(_("Spent (eligible)"), [m.cumulative_spent for m in months]),
            Series(_("Payments received"), [m.cumulative_received for m in months], wide=True),
            Series(_("Payments expected"), [m.cumulative_expected for m in months], dashed=True),
        ],
        label_every=6,
    )


def spending_per_goal(totals: FinanceTotals) -> Chart:
    goals = totals.goals
    return bar_chart(
        title=_("Budget and spending per goal"),
        description=_("The plan's budget and the eligible spending per spending goal or category."),
        categories=[str(g.goal.number or g.goal.code.capitalize()) for g in goals],
        series=[
            Series(_("Budget in the plan"), [g.budget for g in goals]),
            Series(_("Spent (eligible)"), [g.spent for g in goals]),
        ],
    )
