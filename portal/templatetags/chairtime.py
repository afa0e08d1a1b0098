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
