from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from knox.models import AuthToken


class Command(BaseCommand):
    help = "Create a new API token for an existing user and print it alone on the last line."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email: str, **options):
        try:
            user = get_user_model().objects.get(email__iexact=email.strip())
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user with email {email!r}.") from None
        _, token = AuthToken.objects.create(user=user)
        self.stderr.write(f"Token for {user.email} (shown once; send it as 'Authorization: Token <token>'):")
        self.stdout.write(token)
