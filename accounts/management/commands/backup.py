from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from npo_portal.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Write the database (pg_dump, custom format), every stored file (filesystem or S3) and "
        "a manifest with SHA-256 checksums to a new folder. DJANGO_SECRET_KEY and "
        "FIELD_ENCRYPTION_KEYS are not in it: keep them apart."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, type=Path, help="a new or empty folder")

    def handle(self, *args, output, **options):
        try:
            summary = backup(output=output, log=self.stdout.write)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup written to {output}: database {summary.database_bytes:,} bytes, "
                f"{summary.files:,} files of {summary.bytes:,} bytes."
            )
        )
