from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from config.backups import BackupError, restore


class Command(BaseCommand):
    help = "Restore a backup (from backup_database) into the configured database, which must be empty."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The .dump file.")
        parser.add_argument("--force", action="store_true", help="Replace what the backup contains even if not empty.")

    def handle(self, *args, **options):
        try:
            restore(settings.DATABASES["default"], Path(options["file"]), force=options["force"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Restored {options['file']} into {settings.DATABASES['default']['NAME']}.")
