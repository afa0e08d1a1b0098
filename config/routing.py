"""Routes that answer with and without a trailing slash, without redirects.

A POST must never meet a redirect (clients drop the body), so instead of
APPEND_SLASH every route of ours matches both forms.
"""

from django.urls import re_path

SEGMENT = r"(?P<{name}>[^/]+)"


def route(path: str, view, name: str | None = None):
    """`route("api/business/<business_id>/services", view)`: `<x>` matches one path segment.

    Segments are taken as strings so that a malformed id reaches the view and gets the
    API's own 404, rather than Django's HTML one.
    """
    pattern = path.strip("/")
    for part in pattern.split("/"):
        if part.startswith("<") and part.endswith(">"):
            pattern = pattern.replace(part, SEGMENT.format(name=part[1:-1]), 1)
    regex = rf"^{pattern}/?$" if pattern else r"^$"
    return re_path(regex, view, name=name)
