"""Who may frame the widget, and whom the widget may talk to (DESIGN §8)."""

from urllib.parse import urlsplit

from django.conf import settings

from businesses.models import Business


def origin_of(url: str) -> str | None:
    """scheme://host[:port] of a URL, or None if it is not an http(s) origin."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc or "@" in parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def app_origin() -> str:
    return origin_of(settings.SITE_URL) or ""


def is_allowed_origin(business: Business, origin: str | None) -> bool:
    """The business's list, or (when it is empty) any https: origin and the app's own."""
    if not origin:
        return False
    allowed = [o.lower().rstrip("/") for o in business.embed_allowed_origins]
    if allowed:
        return origin in allowed or origin == app_origin()
    return origin.startswith("https://") or origin == app_origin()


def frame_ancestors(business: Business | None) -> str:
    """The CSP frame-ancestors value for the business's widget pages."""
    sources = ["'self'", app_origin()]
    if business is not None and business.embed_allowed_origins:
        sources += [o.rstrip("/") for o in business.embed_allowed_origins]
    else:
        sources.append("https:")
    return "frame-ancestors " + " ".join(dict.fromkeys(s for s in sources if s))


def embed_snippet(business: Business) -> str:
    return (
        '<div id="book"></div>\n'
        f'<script src="{settings.SITE_URL}/widget-embed.js"></script>\n'
        f'<script>BookingWidget.loadWidget("{business.pk}", "book")</script>'
    )
