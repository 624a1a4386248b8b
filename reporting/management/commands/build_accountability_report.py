import argparse
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.models import Municipality
from reporting.rendering import ReportMeta, render_html, render_report_pdf, render_xlsx
from reporting.selectors import final_accounting_default, report_data

RENDERERS = {
    "pdf": render_report_pdf,
    "xlsx": render_xlsx,
    "html": lambda data, meta: render_html(data, meta).encode(),
}


class Command(BaseCommand):
    help = "Build one municipality's accountability report over a year in-process into a file."

    def add_arguments(self, parser):
        parser.add_argument("--municipality", required=True, help="CBS code, e.g. GM0687")
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--format", required=True, choices=sorted(RENDERERS))
        parser.add_argument("--output", required=True, type=Path)
        parser.add_argument("--explanation", default="")
        parser.add_argument(
            "--final-accounting",
            action=argparse.BooleanOptionalAction,
            default=None,
            help="the eindverantwoording (default: as a new report over the year would be)",
        )

    def handle(self, *args, **options):
        code = options["municipality"].upper()
        if not code.startswith("GM"):
            code = f"GM{code.zfill(4)}"
        municipality = Municipality.objects.filter(code=code).first()
        if municipality is None:
            raise CommandError(f"Unknown municipality {code}.")
        final_accounting = options["final_accounting"]
        if final_accounting is None:
            final_accounting = final_accounting_default(
                municipality=municipality, year=options["year"]
            )
        data = report_data(
            municipality=municipality,
            year=options["year"],
            final_accounting=final_accounting,
            explanation=options["explanation"],
        )
        meta = ReportMeta(
            identifier=f"NPO-{code}-{options['year']}-concept",
            version="concept",
            date=timezone.localdate(),
        )
        content = RENDERERS[options["format"]](data, meta)
        options["output"].write_bytes(content)
        self.stdout.write(
            f"{options['output']}: {len(content)} bytes, data version {data.data_version[:12]}"
        )
