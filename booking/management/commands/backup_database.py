from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from config.backups import BackupError, backup


class Command(BaseCommand):
    help = "Dump the configured database (pg_dump custom format) into backups/ with a timestamp."

    def add_arguments(self, parser):
        parser.add_argument("--dir", default=str(settings.BASE_DIR / "backups"), help="Where to write the file.")

    def handle(self, *args, **options):
        try:
            path = backup(settings.DATABASES["default"], Path(options["dir"]))
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(str(path))
