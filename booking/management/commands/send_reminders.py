from django.core.management.base import BaseCommand

from booking.tasks import send_due_reminders


class Command(BaseCommand):
    help = "Send the reminders that are due (for cron, if you do not run Celery beat)."

    def handle(self, *args, **options):
        self.stdout.write(f"Queued {send_due_reminders()} reminder(s).")
