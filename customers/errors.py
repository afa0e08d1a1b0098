from django.utils.translation import gettext_lazy

from config.errors import DomainError


class InvalidCode(DomainError):
    code = "invalid_code"
    status_code = 400
    default_message = gettext_lazy("That code is not right. Check the latest message we sent and try again.")


class CodeExpired(DomainError):
    code = "code_expired"
    status_code = 400
    default_message = gettext_lazy("That code has expired or was already used. Ask for a new one.")


class TooManyRequests(DomainError):
    code = "throttled"
    status_code = 429
    default_message = gettext_lazy("Too many attempts. Please wait a minute and try again.")


class InvalidContact(DomainError):
    code = "validation_error"
    status_code = 400
    default_message = gettext_lazy("Check the email address or phone number.")
