from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Municipality
from archive.package import write_bag


class Command(BaseCommand):
    help = (
        "Write a municipality's archive package as a BagIt bag (RFC 8493) into a new or empty "
        "folder: manage.py archive_package GM0687 --output DIR"
    )

    def add_arguments(self, parser):
        parser.add_argument("code", help="CBS code of the municipality, e.g. GM0687")
        parser.add_argument("--output", required=True, help="folder for the bag (new or empty)")

    def handle(self, *args, code: str, output: str, **options):
        municipality = Municipality.objects.filter(code=code.upper()).first()
        if municipality is None:
            raise CommandError(f"Geen gemeente met CBS-code {code}.")
        directory = Path(output)
        if directory.exists() and any(directory.iterdir()):
            raise CommandError(f"De map {directory} is niet leeg.")
        bag = write_bag(municipality, directory)
        files = sum(1 for _ in bag.payload_files())
        self.stdout.write(
            self.style.SUCCESS(
                f"Archiefpakket van {municipality.name} geschreven naar {directory}: "
                f"{files} bestanden, Bagging-Date {bag.info['Bagging-Date']}."
            )
        )
