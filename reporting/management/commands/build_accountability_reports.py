import time

from django.core.management.base import BaseCommand

from reporting import services
from reporting.selectors import batch_summary


class Command(BaseCommand):
    help = "Queue the accountability reports of every municipality over a year and follow them."

    def add_arguments(self, parser):
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--interval", type=float, default=2.0, help="seconds between checks")

    def handle(self, *args, **options):
        batch = services.start_batch(year=options["year"], user=None)
        started = time.monotonic()
        self.stdout.write(f"Batch {batch.pk} over {batch.year} queued.")
        while True:
            counts = batch_summary(batch_id=batch.pk)
            self.stdout.write(
                f"{counts.percent:3d}%  {counts.done} done, {counts.failed} failed, "
                f"{counts.total} in all  ({time.monotonic() - started:.0f} s)"
            )
            if counts.finished:
                break
            time.sleep(options["interval"])
        if counts.failed:
            self.stderr.write(f"{counts.failed} reports failed; see the batch page.")
