import json
import zoneinfo

from django.core.management.base import BaseCommand, CommandError

from booking.demo import seed_demo_salon


class Command(BaseCommand):
    help = "Create (or reuse, by name) a demo salon with staff, services, hours and some bookings."

    def add_arguments(self, parser):
        parser.add_argument("--name", default="Chairtime Demo Salon")
        parser.add_argument("--timezone", default="Europe/London", help="IANA time zone of the salon.")
        parser.add_argument("--staff", type=int, default=3, help="Number of staff members (1-50).")
        parser.add_argument("--max-advance-days", type=int, default=60)
        parser.add_argument("--json", action="store_true", help="Print one JSON object on stdout.")

    def handle(self, *args, **options):
        if options["timezone"] not in zoneinfo.available_timezones():
            raise CommandError(f"Unknown time zone {options['timezone']!r}; use an IANA name such as Europe/London.")
        if not 1 <= options["staff"] <= 50:
            raise CommandError("--staff must be between 1 and 50.")
        if options["max_advance_days"] < 1:
            raise CommandError("--max-advance-days must be at least 1.")
        salon = seed_demo_salon(
            name=options["name"],
            timezone_name=options["timezone"],
            staff_count=options["staff"],
            max_advance_days=options["max_advance_days"],
        )
        if options["json"]:
            self.stdout.write(json.dumps(salon))
            return
        self.stdout.write(
            f"Demo salon {options['name']!r}: id {salon['business_id']}\n"
            f"  owner login: {salon['owner_email']} / {salon['owner_password']}\n"
            f"  {len(salon['services'])} services, {len(salon['staff'])} staff"
        )
