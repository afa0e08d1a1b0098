"""Which language Chairtime answers in: the one home of that rule (DESIGN §5, issue 21).

A response is in, in this order: the language chosen explicitly (`?lang=`, which the widget
passes on, or the language switch's cookie), the signed-in customer's saved language, the
browser's `Accept-Language` where we have that language, the salon's default language,
English. Messages (e-mail, SMS) go out in the customer's saved language, else the salon's.
"""

from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation.trans_real import parse_accept_lang_header

CODES = tuple(code for code, _ in settings.LANGUAGES)


def supported(code: object) -> str | None:
    """Our language for a tag ("de", "de-AT", "pt_BR" -> "de", "de", "pt"), or None."""
    if not isinstance(code, str) or not code:
        return None
    tag = code.strip().lower().replace("_", "-")[:35]
    for candidate in (tag, tag.split("-")[0]):
        if candidate in CODES:
            return candidate
    return None


def from_accept_language(header: str) -> str | None:
    """The first language of an Accept-Language header that we have."""
    for tag, _quality in parse_accept_lang_header(header[:500]):
        if tag == "*":
            return None
        if found := supported(tag):
            return found
    return None


def explicit_choice(request) -> str | None:
    return supported(request.GET.get("lang")) or supported(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))


def saved_language(request) -> str | None:
    """A signed-in customer's language (members of a salon have none: the admin follows their browser)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.is_staff:  # staff: no account to read
        return None
    account = getattr(user, "customer_account", None)
    return supported(account.language) if account is not None else None


def requested_language(request) -> str | None:
    """The language the request itself asks for, if any: every step of the order but the salon's."""
    return (
        explicit_choice(request)
        or saved_language(request)
        or from_accept_language(request.headers.get("Accept-Language", ""))
    )


def request_language(request, business_language: str | None = None) -> str:
    return requested_language(request) or supported(business_language) or settings.LANGUAGE_CODE


def use_business_language(request, business: Any) -> None:
    """Once a page knows its salon: the salon's default language, unless the request asked for
    one of its own. The page loaded the salon's row anyway, so this costs no query."""
    if business is not None and requested_language(request) is None:
        translation.activate(request_language(request, business.language))
        request.LANGUAGE_CODE = translation.get_language()


def message_language(customer: Any, business: Any) -> str:
    """The language of a message to `customer` from `business` (either may be None)."""
    return (
        supported(getattr(customer, "language", None))
        or supported(getattr(business, "language", None))
        or settings.LANGUAGE_CODE
    )


def remember_choice(response, language: str) -> None:
    """Keep `language` as this browser's explicit choice (the cookie Django's set_language sets);
    no language forgets the choice, so the order's next steps decide again."""
    if not language:
        response.delete_cookie(
            settings.LANGUAGE_COOKIE_NAME, path=settings.LANGUAGE_COOKIE_PATH, domain=settings.LANGUAGE_COOKIE_DOMAIN
        )
        return
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


class LanguageMiddleware:
    """Activates `request_language` for the request (pages that know their salon then call
    `use_business_language`), and says which language answered."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        translation.activate(request_language(request))
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", translation.get_language())
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        translation.deactivate()
        # A link that names its language (?lang=: the widget's "open in a new tab" or "change or
        # cancel") sets it for the pages that follow, whose links do not carry it. Not from the
        # widget's frame: there `lang` comes with every load, and from the host page.
        named = supported(request.GET.get("lang"))
        framed = getattr(response, "xframe_options_exempt", False)
        if named and not framed and named != request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME):
            remember_choice(response, named)
        return response
