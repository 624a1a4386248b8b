from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from schools.services import import_schools


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

    def handle(self, *args, file: Path, **options):
        try:
            content = file.read_bytes()
        except OSError as exc:
            raise CommandError(
                _("Cannot read %(file)s: %(problem)s") % {"file": file, "problem": exc.strerror}
            ) from exc
        result = import_schools(content=content)
        if not result.ok:
            for error in result.errors:
                self.stderr.write(error)
            raise CommandError(
                _("Nothing imported: %(count)d error(s). Correct the file and try again.")
                % {"count": len(result.errors)}
            )
        self.stdout.write(self.style.SUCCESS(result.summary()))
