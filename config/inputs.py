"""Limits every date and text input shares, for the API, the pages and the admin alike."""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from config.errors import InvalidInput

INPUT_YEARS = 10


def out_of_range_message() -> str:
    return ngettext(
        "Give a date within %(years)d year of today.", "Give a date within %(years)d years of today.", INPUT_YEARS
    ) % {"years": INPUT_YEARS}


# Lazy: translated where it is shown, in that request's language (form and serializer
# fields keep it from import time on).
OUT_OF_RANGE = lazy(out_of_range_message, str)()


def within_input_range(value: date | datetime) -> bool:
    """Is `value` within INPUT_YEARS calendar years of today? Compared by year, so values at
    the ends of the calendar (0001-01-01+14:00, 9999-12-31) never reach arithmetic that overflows."""
    this_year = timezone.now().year
    return this_year - INPUT_YEARS <= value.year <= this_year + INPUT_YEARS


def validate_within_input_range(value: date | datetime) -> None:
    """A validator for Django form fields and DRF serializer fields."""
    if not within_input_range(value):
        raise ValidationError(OUT_OF_RANGE, code="out_of_range")


def reject_nul_characters(form_data) -> None:
    """A NUL in a posted field is a form error naming it (PostgreSQL text cannot store one)."""
    for name, values in form_data.lists():
        if any("\x00" in value for value in values):
            message = _("Remove the invisible control character (NUL) from this field.")
            raise InvalidInput(message, fields={name: [message]})
