from decimal import Decimal

from django import template
from django.conf import settings
from django.templatetags.tz import do_timezone
from django.utils.safestring import mark_safe

from booking.services import too_late_message
from config import locale_format

register = template.Library()

# Prices and dates in the active language (config.locale_format): {{ price|money:business.currency }},
# {{ start|long_date }}, {{ start|short_date }}, {{ start|day_and_month }}; times stay |time:"H:i".
register.filter("money", locale_format.money)
register.filter("long_date", locale_format.long_date)
register.filter("short_date", locale_format.short_date)
register.filter("day_and_month", locale_format.day_and_month)
# The day pickers' weeks start on the language's first day: {% weekday_names as names %} heads
# the columns and {{ day|week_column }} places a week's first day under its name.
register.simple_tag(locale_format.weekday_names, name="weekday_names")
register.filter("week_column", locale_format.week_column)
# Why an appointment's buttons are gone: {% too_late_message business %}, as the refusal says it.
register.simple_tag(too_late_message, name="too_late_message")


@register.simple_tag
def language_choices() -> list[tuple[str, str]]:
    """Our languages, each named in itself ("Deutsch", "Français"): Django's own
    get_available_languages would name them in the page's language."""
    return settings.LANGUAGES


@register.filter
def invalid(error_fields, name: str) -> str:
    """Ties a field the page's error names to that error (`<p id="form-error">`), for screen
    readers: `<input name="email"{{ error_fields|invalid:"email" }}>`."""
    if error_fields and name in error_fields:
        return mark_safe(' aria-invalid="true" aria-describedby="form-error"')
    return ""


@register.filter
def local(moment, business):
    """A datetime in the salon's zone, which the date and time filters then keep (like
    Django's own |timezone filter; a plain astimezone() would be turned back into UTC)."""
    return do_timezone(moment, business.zone) if moment else moment


@register.simple_tag
def url_step(business, choices=None, **params) -> str:
    """The booking page URL for `business` with the choices so far and `params` added to
    them (dates as ISO strings): see portal.views.step_url."""
    from portal.views import step_url

    params = {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in params.items()}
    return step_url(business, choices, **params)


@register.filter
def total_price(appointments) -> Decimal:
    """What the appointments cost together (a visit's items)."""
    return sum((appointment.price for appointment in appointments), Decimal(0))
