from django.core.management.base import BaseCommand

from booking.services import appointments_auto_complete


class Command(BaseCommand):
    help = "Complete confirmed appointments that ended each salon's auto_complete_after_hours ago (for cron)."

    def handle(self, *args, **options):
        completed = appointments_auto_complete()
        self.stdout.write(f"Completed {completed} appointment(s).")
