"""Domain errors: raised by services, turned into the API's error shape in one place.

Each carries the stable `code` and HTTP status of DESIGN §5, so portal pages can show
the same message and the API can answer without a table of its own.
"""

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class DomainError(Exception):
    code = "invalid_request"
    status_code = 400
    default_message: "StrOrPromise" = gettext_lazy("The request could not be completed.")

    def __init__(self, message: "StrOrPromise | None" = None, *, fields: dict | None = None):
        # Translated now, in the language of the request being answered: pages, the API's
        # JSON and SMS replies all need plain text.
        self.message = str(message or self.default_message)
        self.fields = fields
        super().__init__(self.message)


class Busy(DomainError):
    """A lock was not obtained in time: the caller may retry shortly."""

    code = "busy"
    status_code = 503
    default_message = gettext_lazy("This time is being booked by someone else right now; please try again.")
    retry_after_seconds = 2


class InvalidInput(DomainError):
    """Input no field can accept (a NUL character, a date far outside the calendar we serve)."""

    code = "validation_error"
    status_code = 400
    default_message = gettext_lazy("Check the highlighted field.")
