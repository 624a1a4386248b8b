from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from npo_portal.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore a folder written by `backup` into an empty database (DATABASE_URL) and an "
        "empty storage (MEDIA_ROOT or S3_BUCKET), after checking every checksum; then clear "
        "the cache. Start the portal with the DJANGO_SECRET_KEY and FIELD_ENCRYPTION_KEYS "
        "of the backed-up installation."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path, help="the folder `backup --output` wrote")

    def handle(self, *args, folder, **options):
        try:
            manifest = restore(folder=folder, log=self.stdout.write)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored the backup of {manifest['started_at']}: the database and "
                f"{len(manifest['files']):,} files; the cache is empty."
            )
        )
