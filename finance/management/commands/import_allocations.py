from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from finance import services


class Command(BaseCommand):
    help = (
        "Import the programme allocation per municipality from a CSV file with the columns "
        "gemeentecode;gemeente;bedrag and, optionally, the basis leerlingen;achterstandspunten. "
        "Every code must be in the register of municipalities (import_municipalities); all "
        "rows or none; importing the same file again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--besluit", default="", help="Decision reference for every row.")

    def handle(self, *args, file: Path, besluit: str, **options):
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Kan {file} niet lezen: {error}") from error
        try:
            result = services.import_allocations(data=data, decision_reference=besluit)
        except services.ImportRejected as rejected:
            for message in rejected.errors:
                self.stderr.write(message)
            raise CommandError("Niets geïmporteerd.") from rejected
        self.stdout.write(
            f"Toekenningen: {result.created} nieuw, {result.updated} gewijzigd, "
            f"{result.unchanged} ongewijzigd."
        )
