from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

EMAIL = "admin@chairtime.localhost"
PASSWORD = "chairtime-admin"


class Command(BaseCommand):
    help = "Development only: make sure the admin superuser of `make run` exists; print its login."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("ensure_dev_superuser is for development (DEBUG=1) only; use createsuperuser.")
        User = get_user_model()
        user = User.objects.filter(email=EMAIL).first() or User.objects.create_superuser(EMAIL, PASSWORD)
        if not user.check_password(PASSWORD):
            user.set_password(PASSWORD)
            user.save(update_fields=["password"])
        self.stdout.write(f"Admin: {settings.SITE_URL}/admin/  email {EMAIL}  password {PASSWORD}")
