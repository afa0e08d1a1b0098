"""Who is calling: one rule for throttles, allauth's rate limits and the admin lockout."""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The address the outermost of our NUM_PROXIES proxies saw; REMOTE_ADDR without proxies.

    Entries of X-Forwarded-For left of our proxies' are the client's to invent, so they
    are never read: rotating them must not buy an attacker a fresh rate limit.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    forwarded = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if settings.NUM_PROXIES <= 0 or not forwarded:
        return remote
    return forwarded[-min(settings.NUM_PROXIES, len(forwarded))]
