"""Routes that answer with and without a trailing slash, without redirects.

A POST must never meet a redirect (clients drop the body), so instead of
APPEND_SLASH every route of ours matches both forms.
"""

import re

from django.urls import re_path

SEGMENT = r"(?P<{name}>[^/]+)"


def literal(text: str) -> str:
    """`text` as a regex matching itself; "-" stays as it is (the API schema derives its paths
    from these patterns, and a hyphen needs no escape outside a character class)."""
    return re.escape(text).replace("\\-", "-")


def route(path: str, view, name: str | None = None):
    """`route("api/business/<business_id>/services", view)`: `<x>` matches one path segment.

    Segments are taken as strings so that a malformed id reaches the view and gets the
    API's own 404, rather than Django's HTML one.
    """
    # Literal text escaped ("<token>.ics": the dot is a dot), each <name> one segment's worth.
    parts = re.split(r"<(\w+)>", path.strip("/"))  # literal text at even places, names at odd ones
    pattern = "".join(SEGMENT.format(name=part) if n % 2 else literal(part) for n, part in enumerate(parts))
    regex = rf"^{pattern}/?$" if pattern else r"^$"
    return re_path(regex, view, name=name)
