from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from accounts.models import Municipality
from finance import services
from npo_portal import tables


class Command(BaseCommand):
    help = (
        "Import a municipality's expenditures from a CSV or XLSX file with the columns "
        "datum;bedrag;bestedingsdoel;interventie;omschrijving;leverancier;factuurnummer. "
        "All rows or none; rows already recorded are skipped and reported."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--municipality", required=True, help="CBS code, e.g. GM0687")

    def handle(self, *args, file: Path, municipality: str, **options):
        try:
            code = tables.parse_municipality_code(municipality)
        except ValueError as error:
            raise CommandError(str(error)) from error
        target = Municipality.objects.filter(code=code).first()
        if target is None:
            raise CommandError(_("no municipality has the code %(code)s.") % {"code": code})
        try:
            with file.open("rb"):
                pass
        except OSError as error:
            raise CommandError(f"Kan {file} niet lezen: {error}") from error
        try:
            # The path, not the bytes: the file is read in chunks, never held whole.
            result = services.import_expenditures(municipality=target, data=file, user=None)
        except services.ImportRejected as rejected:
            for message in rejected.errors:
                self.stderr.write(message)
            raise CommandError("Niets geïmporteerd.") from rejected
        for message in result.duplicates:
            self.stdout.write(message)
        self.stdout.write(
            f"{result.created} uitgaven geïmporteerd voor {target.name}, "
            f"{len(result.duplicates)} dubbele regels overgeslagen, "
            f"{result.outside_period} buiten de bestedingsperiode."
        )
