from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from finance.services import ImportRejected
from finance.services.pupil_counts import import_pupil_counts


class Command(BaseCommand):
    help = (
        "Import DUO's pupil counts per location (po: aantal leerlingen per schoolvestiging, "
        "with LEERLINGEN_2020; vo: leerlingen per vestiging en bestuur, with AANTAL "
        "LEERLINGEN) as the allocations' basis: the count of 1-10-2020, added up per "
        "municipality as it was on the programme's start. All or nothing; the same file "
        "again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        try:
            content = file.read_bytes()
        except OSError as error:
            raise CommandError(str(error)) from error
        try:
            result = import_pupil_counts(content=content, file_name=file.name)
        except ImportRejected as rejected:
            for error in rejected.errors:
                self.stderr.write(error)
            raise CommandError(
                _("Nothing imported: %(count)d error(s). Correct the file and try again.")
                % {"count": len(rejected.errors)}
            ) from rejected
        self.stdout.write(self.style.SUCCESS(result.summary()))
        if result.mapped:
            self.stdout.write(_("Listed under a municipality that no longer exists:"))
            for line in result.mapped_summary():
                self.stdout.write("  " + line)
        for code, pupils in result.per_municipality.items():
            self.stdout.write(f"  {code}\t{pupils}")
