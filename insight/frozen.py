"""Keeping the national monitor's rows of municipalities whose records are destroyed."""

from __future__ import annotations

from insight.models import FrozenMonitorRow
from insight.selectors import monitor_years, national_monitor


def freeze_monitor_rows(*, municipality_ids: set[int]) -> int:
    """Store the monitor's row of each of these municipalities for every year it offers, as
    the monitor shows it now, so that it stays the same after their records are destroyed.
    Safe to repeat: a frozen row is shown, and stored again, unchanged. Returns the rows kept."""
    kept = 0
    for year in monitor_years():
        for row in national_monitor(year=year).rows:
            if row.municipality.pk not in municipality_ids:
                continue
            FrozenMonitorRow.objects.update_or_create(
                municipality=row.municipality,
                year=year,
                defaults={
                    "allocation": row.allocation,
                    "received": row.received,
                    "spent_year": row.spent_year,
                    "spent_cumulative": row.spent_cumulative,
                    "at_risk": row.at_risk,
                    "months": [
                        [day.isoformat(), str(spent), str(expected)]
                        for day, spent, expected in row.months
                    ],
                    "pupils": row.pupils,
                    "plan_status": row.plan_code,
                    "report_status": row.report_code,
                    "response_rate": row.response_rate,
                },
            )
            kept += 1
    return kept
