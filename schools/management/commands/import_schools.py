import argparse
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from npo_portal import tables
from schools.services import import_schools


def parse_day(value: str):
    try:
        return tables.parse_date(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from error


class Command(BaseCommand):
    help = (
        "Import school boards and school locations from a CSV file with the header "
        "brin;vestiging;naam;sector;bevoegd_gezag;bestuur_naam;gemeentecode, or from DUO's "
        "location files (vestigingenbo/so/vo.csv, old or new headers) and board files. A "
        "location a newer DUO file of the same kind no longer lists is closed, never deleted. "
        "All or nothing; running it again with the same file changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="the CSV file (; or , separated)")
        parser.add_argument(
            "--peildatum",
            type=parse_day,
            help="the file's reference date (dd-mm-jjjj), when it is later than the "
            "programme's start",
        )

    def handle(self, *args, file: Path, peildatum=None, **options):
        try:
            content = file.read_bytes()
        except OSError as exc:
            raise CommandError(
                _("Cannot read %(file)s: %(problem)s") % {"file": file, "problem": exc.strerror}
            ) from exc
        result = import_schools(content=content, reference_date=peildatum)
        if not result.ok:
            for error in result.errors:
                self.stderr.write(error)
            raise CommandError(
                _("Nothing imported: %(count)d error(s). Correct the file and try again.")
                % {"count": len(result.errors)}
            )
        self.stdout.write(self.style.SUCCESS(result.summary()))
        if result.mapped:
            self.stdout.write(_("Listed under a municipality that no longer exists:"))
            for line in result.mapped_summary():
                self.stdout.write("  " + line)
        if result.held:
            self.stdout.write(
                _("Held for the functional administrator to assign (%(count)d):")
                % {"count": len(result.held)}
            )
            for line in result.held_summary():
                self.stdout.write("  " + line)
