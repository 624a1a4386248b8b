import logging

from celery import shared_task

from insight.selectors import monitor_years, national_monitor
from insight.services import compact_money_changes
from schools.models import NeedsChange

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
    # The needs log keys the cached needs pictures the same way; folded on the same night.
    removed_needs = compact_money_changes(NeedsChange)
    logger.info("Needs change log: %d rows folded away", removed_needs)
    return removed + removed_needs
