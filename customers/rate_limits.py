"""Rate limits as a plain value: services ask "may this caller do `action` on `key` once
more?" without knowing about HTTP; the pages and the API build the answer from their request."""

from collections.abc import Callable

from allauth.core import ratelimit
from django.http import HttpRequest

RateLimit = Callable[[str, str], bool]  # (action, key) -> allowed; counts the attempt


def request_rate_limit(request: HttpRequest) -> RateLimit:
    """allauth's rate limits (per client address and per key, in the shared cache) for `request`."""
    return lambda action, key: ratelimit.consume(request, action=action, key=key)
