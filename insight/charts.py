"""The monitor's chart, drawn from the monitor's figures (never from a second sum)."""

from django.utils import formats
from django.utils.translation import gettext as _

from insight.selectors import NationalMonitor
from npo_portal.charts import Chart, Series, line_chart


def national_spending(monitor: NationalMonitor) -> Chart | None:
    """National cumulative eligible spending per month against the payment schedule."""
    if not monitor.months:
        return None
    return line_chart(
        title=_("National spending against the payment schedule, cumulative per month"),
        description=_(
            "Cumulative eligible spending of all municipalities and the payments the schedule "
            "foresees, per month of the spending period; the table below gives the numbers."
        ),
        labels=[formats.date_format(day, "m-y") for day, _spent, _expected in monitor.months],
        series=[
            Series(_("Spent (eligible)"), [spent for _day, spent, _expected in monitor.months]),
            Series(
                _("Payments expected"),
                [expected for _day, _spent, expected in monitor.months],
                dashed=True,
            ),
        ],
        label_every=6,
    )
