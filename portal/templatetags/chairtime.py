from decimal import Decimal

from django import template
from django.templatetags.tz import do_timezone

register = template.Library()

SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$", "JPY": "¥", "INR": "₹", "AUD": "A$", "CAD": "C$", "CHF": "CHF "}


@register.filter
def money(amount, currency: str) -> str:
    """45 GBP -> £45.00; unknown currencies keep their code: 45.00 SEK."""
    value = f"{Decimal(amount):,.2f}"
    symbol = SYMBOLS.get(currency)
    return f"{symbol}{value}" if symbol else f"{value} {currency}"


@register.filter
def local(moment, business):
    """A datetime in the salon's zone, which the date and time filters then keep (like
    Django's own |timezone filter; a plain astimezone() would be turned back into UTC)."""
    return do_timezone(moment, business.zone) if moment else moment


@register.simple_tag
def url_step(business, **params) -> str:
    """The booking page URL for `business` with the given choices (dates as ISO strings)."""
    from portal.views import step_url

    return step_url(business, **{k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in params.items()})
