import time

from django.core.management.base import BaseCommand

from insight.selectors import national_monitor


class Command(BaseCommand):
    help = (
        "Recompute the national monitor's stored figures where money changed (e.g. after a "
        "bulk load), so that the first visitor of the page does not wait for them."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, action="append", required=True)

    def handle(self, *args, **options):
        for year in options["year"]:
            started = time.perf_counter()
            monitor = national_monitor(year=year)
            self.stdout.write(
                f"{year}: {len(monitor.rows)} municipalities in "
                f"{time.perf_counter() - started:.1f} s"
            )
