import logging

from celery import shared_task

from insight.selectors import monitor_years, national_monitor
from insight.services import compact_money_changes

logger = logging.getLogger(__name__)


@shared_task
def refresh_monitor(years: list[int] | None = None) -> int:
    """Nightly (Celery beat): recompute the monitor's figures where money changed, for every
    year it offers, so that no visitor waits for them; then fold the change log. Returns the
    number of log rows removed. Safe to re-run: figures already fresh are not recomputed."""
    for year in years or monitor_years():
        monitor = national_monitor(year=year)
        logger.info("Monitor %s: %d municipalities fresh", year, len(monitor.rows))
    removed = compact_money_changes()
    logger.info("Monitor change log: %d rows folded away", removed)
    return removed
