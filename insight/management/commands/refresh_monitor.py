import time

from django.core.management.base import BaseCommand

from insight.selectors import monitor_years, national_monitor
from insight.services import compact_money_changes
from schools.models import NeedsChange


class Command(BaseCommand):
    help = (
        "Recompute the national monitor's stored figures where money changed (e.g. after a "
        "bulk load), so that the first visitor of the page does not wait for them; then fold "
        "the change log. Celery beat runs the same nightly (insight.tasks.refresh_monitor)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--year", type=int, action="append", help="a reporting year (default: every one)"
        )

    def handle(self, *args, **options):
        for year in options["year"] or monitor_years():
            started = time.perf_counter()
            monitor = national_monitor(year=year)
            self.stdout.write(
                f"{year}: {len(monitor.rows)} municipalities in "
                f"{time.perf_counter() - started:.1f} s"
            )
        self.stdout.write(f"change log: {compact_money_changes()} rows folded away")
        self.stdout.write(f"needs log: {compact_money_changes(NeedsChange)} rows folded away")
