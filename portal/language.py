"""The portal's language switch: the browser's choice (a cookie) and, for a signed-in customer,
the language their pages and messages use from now on (config.languages has the order)."""

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from config.languages import supported
from customers.services import customer_update_profile


def without_lang(url: str) -> str:
    """`url` without its ?lang=, which would otherwise outrank the choice just made."""
    parts = urlsplit(url)
    query = [(name, value) for name, value in parse_qsl(parts.query, keep_blank_values=True) if name != "lang"]
    return urlunsplit(parts._replace(query=urlencode(query)))


@require_POST
def switch_language(request):
    response = set_language(request)  # checks the language and `next`, sets the cookie, redirects
    if response.has_header("Location"):
        response["Location"] = without_lang(response["Location"])
    language = supported(request.POST.get("language"))
    customer = getattr(request.user, "customer_account", None)  # none for staff and visitors
    if language and customer is not None:
        customer_update_profile(customer=customer, language=language)
    return response
